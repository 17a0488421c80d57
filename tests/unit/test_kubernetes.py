"""The Kubernetes manifests, as each overlay renders them, are valid and complete.

Rendering is kustomize's own: `kubectl kustomize` (kubectl bundles kustomize). Built-in kinds are
validated against the Kubernetes OpenAPI schemas (kubernetes-validate, strict: unknown fields
fail); KEDA's ScaledObject and TriggerAuthentication against models generated from KEDA's CRDs
(cloudcoil.models.keda): a field they do not know or a wrong type fails.
"""

from __future__ import annotations

import base64
import functools
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from cloudcoil.models.keda import v1alpha1 as keda

from shared.settings import DEV_SECRET_MARKER
from shared.topology import Topology
from tests.support.deployment import DEPLOYED_SERVICES, FIXED_REPLICAS, PUBLIC_SERVICES
from tests.unit.test_deployment import ROOT, SHARED_SECRETS, missing_settings, settings_from

K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("development", "production")
# The oldest Kubernetes the manifests are meant for, and the newest the validator knows.
KUBERNETES_VERSIONS = ("1.29", kubernetes_validate.latest_version())
SECRET = "suite-secrets"
NAMESPACE = "customer-suite"


def kustomize(directory: Path) -> list[dict[str, Any]]:
    if shutil.which("kubectl") is None:
        message = "kubectl (which bundles kustomize) is needed to render deploy/k8s"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(directory)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return [d for d in yaml.safe_load_all(rendered) if d]


@functools.cache
def _rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    return tuple(kustomize(K8S / "overlays" / overlay))


def rendered(overlay: str) -> list[dict[str, Any]]:
    return list(_rendered(overlay))


def one(documents: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [d for d in documents if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{len(found)} {kind} named {name}"
    return found[0]


def config_map(documents: list[dict[str, Any]], name: str = "suite-config") -> dict[str, Any]:
    """The generated ConfigMap `name` (kustomize appends a hash of its content to the name)."""
    [config] = [
        d
        for d in documents
        if d["kind"] == "ConfigMap" and re.fullmatch(rf"{name}-\w+", d["metadata"]["name"])
    ]
    return config


def container(documents: list[dict[str, Any]], service: str) -> dict[str, Any]:
    deployment = one(documents, "Deployment", service)
    [only] = deployment["spec"]["template"]["spec"]["containers"]
    return dict(only)


def consumers(namespace: str) -> dict[str, str]:
    """Services with a work queue (shared/topology.py) -> the queue's name."""
    topology = Topology(namespace)
    return {q.name.removeprefix(f"{namespace}."): q.name for q in topology.consumers}


def validate_keda(document: dict[str, Any]) -> None:
    """Structure against the KEDA CRD models: unknown fields would be dropped, so compare."""
    model = getattr(keda, document["kind"]).model_validate(document)
    assert model.model_dump(by_alias=True, exclude_unset=True, mode="json") == document


def validate(document: dict[str, Any], version: str) -> None:
    if document["apiVersion"].startswith("keda.sh/"):
        validate_keda(document)
    else:
        kubernetes_validate.validate(document, version, strict=True)


# --- valid --------------------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_manifest_is_valid(overlay: str, version: str) -> None:
    documents = rendered(overlay)
    assert len(documents) > 20
    for document in documents:
        validate(document, version)


def test_the_validators_refuse_a_misspelt_field() -> None:
    deployment = one(rendered("production"), "Deployment", "customer")
    with pytest.raises(kubernetes_validate.ValidationError):
        validate({**deployment, "spec": {**deployment["spec"], "replica": 2}}, "1.29")
    scaled = one(rendered("production"), "ScaledObject", "customer")
    with pytest.raises(AssertionError):
        validate({**scaled, "spec": {**scaled["spec"], "minReplicas": 2}}, "1.29")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_everything_lives_in_the_suite_namespace(overlay: str) -> None:
    for document in rendered(overlay):
        if document["kind"] == "Namespace":
            assert document["metadata"]["name"] == NAMESPACE
        else:
            assert document["metadata"]["namespace"] == NAMESPACE, document["metadata"]["name"]


# --- complete, per service -------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_each_service_runs_with_probes_resources_and_a_pinned_image(
    overlay: str, service: str
) -> None:
    documents = rendered(overlay)
    deployment = one(documents, "Deployment", service)
    pod = deployment["spec"]["template"]
    if service in FIXED_REPLICAS:
        assert deployment["spec"]["replicas"] >= 1
    else:
        assert "replicas" not in deployment["spec"], "the autoscaler owns the number of replicas"
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pod["metadata"]["labels"].items()
    spec = container(documents, service)
    assert spec["command"] == ["python", "-m", f"services.{service}"]
    assert re.fullmatch(r".+:\d+\.\d+\.\d+", spec["image"])
    [port] = spec["ports"]
    assert port["name"] == "http"
    assert spec["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
    assert spec["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    for bound in ("requests", "limits"):
        assert set(spec["resources"][bound]) == {"cpu", "memory"}, f"{service} {bound}"
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    assert pod["spec"]["automountServiceAccountToken"] is False
    assert spec["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(port["containerPort"])


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_each_service_has_a_service_and_a_disruption_budget(overlay: str, service: str) -> None:
    documents = rendered(overlay)
    labels = one(documents, "Deployment", service)["spec"]["template"]["metadata"]["labels"]
    port = container(documents, service)["ports"][0]["containerPort"]
    endpoint = one(documents, "Service", service)
    assert endpoint["spec"]["selector"].items() <= labels.items()
    assert endpoint["spec"]["ports"] == [{"name": "http", "port": port, "targetPort": "http"}]
    budget = one(documents, "PodDisruptionBudget", service)
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert budget["spec"].get("maxUnavailable") == 1 or budget["spec"].get("minAvailable")


def autoscalers(documents: list[dict[str, Any]], service: str) -> list[dict[str, Any]]:
    """What sets the replicas of `service`: a ScaledObject or HorizontalPodAutoscaler on it."""
    return [
        d
        for d in documents
        if d["kind"] in ("ScaledObject", "HorizontalPodAutoscaler")
        and d["spec"]["scaleTargetRef"]["name"] == service
    ]


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_consumers_scale_on_their_work_queue_and_http_services_on_cpu(
    overlay: str, service: str
) -> None:
    documents = rendered(overlay)
    namespace = config_map(documents)["data"]["BROKER_NAMESPACE"]
    work_queues = consumers(namespace)
    if service in FIXED_REPLICAS:
        assert autoscalers(documents, service) == [], f"{service} runs a fixed number"
        return
    [autoscaler] = autoscalers(documents, service)
    assert autoscaler["metadata"]["name"] == service
    if service in work_queues:
        assert autoscaler["kind"] == "ScaledObject"
        assert autoscaler["spec"]["scaleTargetRef"] == {"name": service}
        [trigger] = autoscaler["spec"]["triggers"]
        assert trigger["type"] == "rabbitmq"
        assert trigger["metadata"]["queueName"] == work_queues[service]
        assert trigger["metadata"]["mode"] == "QueueLength"
        assert int(trigger["metadata"]["value"]) > 0
        authentication = one(
            documents, "TriggerAuthentication", trigger["authenticationRef"]["name"]
        )
        host = {"parameter": "host", "name": SECRET, "key": "AMQP_URL"}
        assert host in authentication["spec"]["secretTargetRef"]
        assert 1 <= autoscaler["spec"]["minReplicaCount"] <= autoscaler["spec"]["maxReplicaCount"]
    else:
        assert service in PUBLIC_SERVICES, f"{service}: neither a consumer nor an HTTP service"
        assert autoscaler["kind"] == "HorizontalPodAutoscaler"
        assert autoscaler["apiVersion"] == "autoscaling/v2"
        assert autoscaler["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": service,
        }
        [metric] = autoscaler["spec"]["metrics"]
        assert metric["type"] == "Resource"
        assert metric["resource"]["name"] == "cpu"
        assert 1 <= autoscaler["spec"]["minReplicas"] <= autoscaler["spec"]["maxReplicas"]


def test_production_keeps_two_replicas_of_what_answers_requests() -> None:
    documents = rendered("production")
    for service in ("customer", "consent"):
        assert one(documents, "ScaledObject", service)["spec"]["minReplicaCount"] >= 2
    for service in PUBLIC_SERVICES:
        assert one(documents, "HorizontalPodAutoscaler", service)["spec"]["minReplicas"] >= 2
    # The pullers answer the gateway's integration queries, and a standby takes over leases.
    for service in FIXED_REPLICAS:
        assert one(documents, "Deployment", service)["spec"]["replicas"] >= 2


def test_development_runs_one_replica_of_each_service() -> None:
    documents = rendered("development")
    for service in FIXED_REPLICAS:
        assert one(documents, "Deployment", service)["spec"]["replicas"] == 1
    for scaled in (d for d in documents if d["kind"] == "ScaledObject"):
        assert scaled["spec"]["minReplicaCount"] == 1
    for scaled in (d for d in documents if d["kind"] == "HorizontalPodAutoscaler"):
        assert scaled["spec"]["minReplicas"] == 1


def test_the_queue_names_follow_the_broker_namespace(tmp_path: Path) -> None:
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": [os.path.relpath(K8S / "overlays" / "production", overlay)],
                "configMapGenerator": [
                    {
                        "name": "suite-config",
                        "behavior": "merge",
                        "literals": ["BROKER_NAMESPACE=shop7"],
                    }
                ],
                "components": [os.path.relpath(K8S / "components" / "broker-namespace", overlay)],
            }
        )
    )
    documents = kustomize(overlay)
    queues = {
        d["metadata"]["name"]: d["spec"]["triggers"][0]["metadata"]["queueName"]
        for d in documents
        if d["kind"] == "ScaledObject"
    }
    assert queues == consumers("shop7")


# --- configuration and secrets ---------------------------------------------------------------


def container_env(documents: list[dict[str, Any]], service: str) -> dict[str, str]:
    """The container's environment as the kubelet builds it; secrets as the overlay has them,
    or as an operator would set them where the overlay has none (production)."""
    secrets = {
        key: base64.b64decode(value).decode()
        for d in documents
        if d["kind"] == "Secret" and d["metadata"]["name"] == SECRET
        for key, value in d.get("data", {}).items()
    }
    configs = {d["metadata"]["name"]: d["data"] for d in documents if d["kind"] == "ConfigMap"}
    spec = container(documents, service)
    env: dict[str, str] = {}
    for source in spec.get("envFrom", []):
        env.update(configs[source["configMapRef"]["name"]])
    for entry in spec["env"]:
        reference = entry.get("valueFrom", {})
        if "value" in entry:
            env[entry["name"]] = re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], entry["value"])
        elif "configMapKeyRef" in reference:
            ref = reference["configMapKeyRef"]
            assert ref["key"] in configs[ref["name"]], f"{ref['name']} has no {ref['key']}"
            env[entry["name"]] = configs[ref["name"]][ref["key"]]
        elif "secretKeyRef" in reference:
            ref = reference["secretKeyRef"]
            assert ref["name"] == SECRET
            if ref["key"] in secrets:
                env[entry["name"]] = secrets[ref["key"]]
            elif not ref.get("optional"):
                assert not secrets, f"the overlay's Secret has no {ref['key']}"
                env[entry["name"]] = f"operator-set-{ref['key'].lower()}"
    return env


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_every_setting_a_service_requires_is_given(
    overlay: str, service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = container_env(rendered(overlay), service)
    assert missing_settings(service, env) == [], f"{service}: not set in the {overlay} overlay"
    settings = settings_from(service, env, monkeypatch)
    assert settings.environment == overlay
    assert settings.port == int(container(rendered(overlay), service)["ports"][0]["containerPort"])
    assert settings.host == "0.0.0.0"


def test_production_carries_no_secret_and_refuses_development_ones() -> None:
    documents = rendered("production")
    assert [d for d in documents if d["kind"] == "Secret"] == []
    text = yaml.safe_dump_all(documents)
    assert DEV_SECRET_MARKER not in text
    assert "guest:guest" not in text
    assert config_map(documents)["data"]["SUITE_ENVIRONMENT"] == "production"


def secret_key(documents: list[dict[str, Any]], service: str, variable: str) -> str:
    [entry] = [e for e in container(documents, service)["env"] if e["name"] == variable]
    return str(entry["valueFrom"]["secretKeyRef"]["key"])


@pytest.mark.parametrize(("one", "other"), SHARED_SECRETS)
def test_a_secret_two_services_share_is_one_key_of_the_secret(
    one: tuple[str, str], other: tuple[str, str]
) -> None:
    documents = rendered("production")
    assert secret_key(documents, *one) == secret_key(documents, *other)


@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_development_secrets_would_be_refused_in_production(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**container_env(rendered("development"), service), "SUITE_ENVIRONMENT": "production"}
    with pytest.raises(ValueError, match="refusing to start in production"):
        settings_from(service, env, monkeypatch)


# --- network ---------------------------------------------------------------------------------


def policies(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in documents if d["kind"] == "NetworkPolicy"]


def selects(policy: dict[str, Any], labels: dict[str, str]) -> bool:
    selector = policy["spec"]["podSelector"]
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def from_outside(rule: dict[str, Any]) -> list[dict[str, Any]]:
    """The peers of an ingress rule outside the namespace; `{}` stands for anyone."""
    if "from" not in rule:
        return [{}]
    return [peer for peer in rule["from"] if "namespaceSelector" in peer or "ipBlock" in peer]


PROMETHEUS_PEER = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
}


@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_only_gateway_and_ingest_are_reached_from_outside_the_namespace(service: str) -> None:
    documents = rendered("production")
    labels = one(documents, "Deployment", service)["spec"]["template"]["metadata"]["labels"]
    applying = [p for p in policies(documents) if selects(p, labels)]
    assert any(
        p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        for p in applying
    ), "no default deny"
    outside = [
        peer
        for p in applying
        for rule in p["spec"].get("ingress", [])
        for peer in from_outside(rule)
        if peer != PROMETHEUS_PEER
    ]
    if service in PUBLIC_SERVICES:
        assert {} in outside
    else:
        assert outside == [], f"{service} is reachable from outside: {outside}"


def egress_rules(documents: list[dict[str, Any]], service: str) -> list[dict[str, Any]]:
    labels = one(documents, "Deployment", service)["spec"]["template"]["metadata"]["labels"]
    return [
        rule
        for p in policies(documents)
        if selects(p, labels)
        for rule in p["spec"].get("egress", [])
    ]


def reachable_ports(rules: list[dict[str, Any]]) -> set[tuple[str, int | str]]:
    return {(port["protocol"], port["port"]) for rule in rules for port in rule["ports"]}


@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_services_reach_the_broker_the_database_the_collector_and_dns(service: str) -> None:
    reachable = reachable_ports(egress_rules(rendered("production"), service))
    for needed in [("TCP", 5672), ("TCP", 27017), ("TCP", 4318), ("UDP", 53), ("TCP", 53)]:
        assert needed in reachable, f"{service} cannot reach {needed}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_pullers_reach_ingest_and_the_channels_over_https(overlay: str) -> None:
    rules = egress_rules(rendered(overlay), "pullers")
    to_ingest = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "ingest"}}}
    assert any(
        to_ingest in rule.get("to", []) and {"protocol": "TCP", "port": "http"} in rule["ports"]
        for rule in rules
    ), "the pullers cannot reach ingest"
    [https] = [r for r in rules if {"protocol": "TCP", "port": 443} in r["ports"]]
    blocks = {peer["ipBlock"]["cidr"]: set(peer["ipBlock"]["except"]) for peer in https["to"]}
    # The Internet, not the cluster's own HTTPS endpoints nor a cloud's metadata service.
    assert {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"} <= blocks[
        "0.0.0.0/0"
    ]
    assert "fc00::/7" in blocks["::/0"]


@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_only_the_pullers_reach_https_endpoints(service: str) -> None:
    reachable = reachable_ports(egress_rules(rendered("production"), service))
    assert (("TCP", 443) in reachable) == (service == "pullers")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_mailer_reaches_the_port_of_its_smtp_server(overlay: str) -> None:
    documents = rendered(overlay)
    env = container_env(documents, "mailer")
    assert env["SMTP_HOST"]
    reachable = reachable_ports(egress_rules(documents, "mailer"))
    assert ("TCP", int(env["SMTP_PORT"])) in reachable, f"SMTP port {env['SMTP_PORT']} blocked"
    others = [s for s in DEPLOYED_SERVICES if s != "mailer"]
    for service in others:
        reachable = reachable_ports(egress_rules(documents, service))
        assert ("TCP", int(env["SMTP_PORT"])) not in reachable, f"{service} may send mail"
