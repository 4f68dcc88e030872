"""The jobs API: a deliverable as a job (background thread in the embedded mode), its file,
problem JSON for a bad kind, a hidden job, and a kind the role may not start."""

from __future__ import annotations

import time

from soupwatch.model.access import Role
from soupwatch.pipeline import load_target, store_document

from .conftest import EXAMPLES, NOW, Client, add_user


def test_deliverable_job_then_download(client: Client) -> None:
    store = client.app.state.store
    path = EXAMPLES / "infusion-pump.cdx.json"
    store_document(store, load_target(path), "infusion-pump", "1.0", source=str(path), now=NOW)
    got = client.post(
        "/api/v1/products/infusion-pump/releases/1.0/deliverables/mds2", params={"format": "json"}
    )
    assert got.status_code == 202, got.text
    job = got.json()
    assert job["kind"] == "deliverable" and job["started_by"] == "admin"
    for _ in range(300):
        job = client.get(f"/api/v1/jobs/{job['id']}").json()
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["state"] == "done" and job["progress"] == 1.0, job
    file = client.get(f"/api/v1/jobs/{job['id']}/download")
    assert file.status_code == 200 and file.headers["content-type"] == "application/json"
    assert "infusion-pump-1.0-mds2.json" in file.headers["content-disposition"]
    assert file.json()
    assert [j["id"] for j in client.get("/api/v1/jobs").json()] == [job["id"]]
    bad = client.post("/api/v1/jobs", json={"kind": "nope"})
    assert bad.status_code == 422 and "unknown job kind" in bad.json()["detail"]
    reader = add_user(client.app, "hc", Role.HOSPITAL_CUSTOMER)
    assert reader.get(f"/api/v1/jobs/{job['id']}").status_code == 404  # not its product
    refused = reader.post("/api/v1/jobs", json={"kind": "feed-sync", "args": {}})
    assert refused.status_code == 403
