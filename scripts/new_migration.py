import sys

from alembic import command
from alembic.config import Config

from soupwatch.store.db import MIGRATIONS_DIR, make_engine

rev, msg = sys.argv[1], sys.argv[2]
engine = make_engine("sqlite:////tmp/autogen.db")
cfg = Config()
cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
with engine.begin() as conn:
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
with engine.begin() as conn:
    cfg.attributes["connection"] = conn
    command.revision(cfg, message=msg, autogenerate=True, rev_id=rev)
