"""Stage 4: findings → risk in the device's context.

A device profile (``profile.py``) answers the MITRE medical-device CVSS rubric (``rubric.py``);
the answers become CVSS 3.1 / 4.0 environmental vectors scored by the ``cvss`` library
(``cvss_context.py``); exploitability evidence (``exploitability.py``), the harm at stake and
the policy's clocks (``policy.py``) decide the risk level, the FDA postmarket category and the
due dates of each finding (``finding.py``, ``score.py``), with an SSVC deployer decision beside
it (``ssvc.py``); end-of-support comes from endoflife.date (``support.py``). ``assess.py``
puts a release together into a :class:`~soupwatch.model.assessment.Assessment`.
"""

from soupwatch.risk.assess import FindingInput, build_assessment, prioritise
from soupwatch.risk.finding import Lifecycle
from soupwatch.risk.policy import Clocks, Policy, due_dates, load_policy
from soupwatch.risk.profile import DeviceProfile, default_profile, load_profile

__all__ = [
    "Clocks",
    "DeviceProfile",
    "FindingInput",
    "Lifecycle",
    "Policy",
    "build_assessment",
    "default_profile",
    "due_dates",
    "load_policy",
    "load_profile",
    "prioritise",
]
