"""deploy/k8s/: the manifests parse, the web pods are probed on /healthz and /readyz, exactly
one beat runs, migrations run as a Job, and every pod takes its settings from the ConfigMap and
the Secret (no value of a secret in the repository)."""

from pathlib import Path

import yaml

K8S = Path(__file__).resolve().parents[1] / "deploy" / "k8s"


def documents():
    found = {}
    for path in sorted(K8S.glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                found[(document["kind"], document["metadata"]["name"])] = document
    return found


def container(document):
    spec = document["spec"]["template"]["spec"]
    (only,) = spec["containers"]
    return only


def test_the_web_pods_are_probed_for_liveness_and_readiness():
    web = container(documents()[("Deployment", "abh-web")])
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in (web["livenessProbe"], web["readinessProbe"]):
        assert probe["httpGet"]["port"] == web["ports"][0]["name"]


def test_one_beat_workers_and_a_migrate_job():
    found = documents()
    beat = found[("Deployment", "abh-beat")]
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    assert "beat" in container(beat)["command"]
    assert "worker" in container(found[("Deployment", "abh-worker")])["command"]
    job = next(doc for (kind, _name), doc in found.items() if kind == "Job")
    assert container(job)["command"][-2:] == ["migrate", "--noinput"]
    service = found[("Service", "abh-web")]
    assert (
        service["spec"]["selector"]
        == found[("Deployment", "abh-web")]["spec"]["selector"]["matchLabels"]
    )


def test_settings_come_from_the_configmap_and_the_secret_only():
    found = documents()
    config = found[("ConfigMap", "abh-config")]["data"]
    assert not {"SECRET_KEY", "DATABASE_URL", "METRICS_TOKEN"} & config.keys()
    assert not any(kind == "Secret" for kind, _name in found)
    for (kind, _name), document in found.items():
        if kind in {"Deployment", "Job"}:
            sources = container(document)["envFrom"]
            assert {"configMapRef": {"name": "abh-config"}} in sources
            assert {"secretRef": {"name": "abh-secrets"}} in sources


def test_the_migrate_job_runs_the_release_the_deployments_run_once():
    """A Job's pod template cannot change: each release gets its own Job, named for its tag,
    and it migrates with the very image the Deployments roll out."""
    found = documents()
    (job,) = (doc for (kind, _name), doc in found.items() if kind == "Job")
    image = container(job)["image"]
    tag = image.rsplit(":", 1)[1]
    assert job["metadata"]["name"] == "abh-migrate-" + tag.replace(".", "-")
    deployments = [doc for (kind, _name), doc in found.items() if kind == "Deployment"]
    assert {container(doc)["image"] for doc in deployments} == {image}
    # Never retried forever, never restarted in place after a success.
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] <= 3
    # Only the Job migrates: no Deployment runs migrate on start.
    assert not any("migrate" in " ".join(container(doc)["command"]) for doc in deployments)
