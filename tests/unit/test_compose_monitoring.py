"""The compose stack sees the suite: Prometheus scrapes every service, Grafana shows the metric
contract (docs/operations/metrics.md), the alerts use it, traces go through the collector to Jaeger.

Every PromQL expression is parsed by a PromQL parser, and the metric names it reads are checked
against the contract: a typo in a dashboard or an alert fails here, not silently in Grafana.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from tests.support.deployment import DEPLOYED_SERVICES
from tests.unit.test_deployment import COMPOSE, ROOT, compose_env

DEPLOY = ROOT / "deploy"
PROMETHEUS = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
ALERTS = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
DASHBOARDS = DEPLOY / "grafana" / "dashboards"
PROVISIONING = DEPLOY / "grafana" / "provisioning"
RUNBOOK = (ROOT / "docs" / "runbook.md").read_text()

# The contract the services export (docs/operations/metrics.md): name -> labels.
COUNTERS_AND_GAUGES = {
    "suite_messages_received_total": {"service", "queue", "type"},
    "suite_messages_processed_total": {"service", "queue", "type"},
    "suite_messages_failed_total": {"service", "queue", "type"},
    "suite_messages_retried_total": {"service", "queue"},
    "suite_messages_parked_total": {"service", "queue"},
    "suite_http_requests_total": {"service", "route", "method", "status"},
    "suite_http_requests_in_flight": {"service"},
    "suite_http_requests_shed_total": {"service"},
    "suite_outbox_backlog": {"service"},
    "suite_outbox_oldest_age_seconds": {"service"},
    "suite_queue_depth": {"service", "queue"},
    "suite_transactions_total": {"service"},
    "suite_transaction_attempts_total": {"service"},
}
HISTOGRAMS = {
    "suite_handler_duration_seconds": {"service", "queue"},
    "suite_http_request_duration_seconds": {"service", "route", "method"},
    "suite_rpc_duration_seconds": {"service", "target"},
}
CONTRACT = {**COUNTERS_AND_GAUGES, **HISTOGRAMS}
# Series whose names a query may read: histograms by their _bucket, _sum and _count.
SERIES = {
    **COUNTERS_AND_GAUGES,
    **{f"{h}_bucket": labels | {"le"} for h, labels in HISTOGRAMS.items()},
    **{f"{h}{suffix}": labels for h, labels in HISTOGRAMS.items() for suffix in ("_sum", "_count")},
}
# Not from the services: Prometheus' own `up`, and RabbitMQ's view of its queues.
OTHER_SERIES_IN_ALERTS = frozenset({"up", "rabbitmq_detailed_queue_messages"})
REQUIRED_ALERTS = {
    "SuiteServiceDown",
    "ParkedMessagesRising",
    "OutboxBacklogOld",
    "QueueDepthGrowing",
    "HighServerErrorRate",
    "SlowLookups",
}
# Grafana's variables, replaced by what they stand for before a query is parsed.
GRAFANA_VARIABLES = {"$__rate_interval": "5m", "$__interval": "1m", "$service": ".*"}


def selectors(expression: str) -> dict[str, set[str]]:
    """The series a PromQL expression reads, each with the labels it filters on.

    A `{__name__=~"..."}` selector counts as its pattern.
    """
    for variable, value in GRAFANA_VARIABLES.items():
        expression = expression.replace(variable, value)
    found: dict[str, set[str]] = {}

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            labels = {m.name for m in node.matchers.matchers if m.name != "__name__"}
            names = {m.value for m in node.matchers.matchers if m.name == "__name__"}
            for name in names | ({node.name} if node.name else set()):
                found.setdefault(name, set()).update(labels)

    promql_parser.walk(promql_parser.parse(expression), visit)
    return found


def series_read(expression: str) -> set[str]:
    return set(selectors(expression))


def assert_reads_the_contract(expression: str, *, others: frozenset[str] = frozenset()) -> None:
    """Only series of the contract (or `others`), filtered only by labels they have."""
    for name, labels in selectors(expression).items():
        if name in others or name == "suite_.+":
            continue
        assert name in SERIES, f"{name} is not in the metric contract: {expression}"
        assert labels <= SERIES[name], f"{name} has no label {labels - SERIES[name]}"


def panel_queries(dashboard: dict[str, Any]) -> list[str]:
    return [
        target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        if "expr" in target
    ]


def dashboard_queries(dashboard: dict[str, Any]) -> list[str]:
    queries = panel_queries(dashboard)
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        text = query.get("query") if isinstance(query, dict) else query
        if variable.get("type") == "query" and text:
            # label_values(<series selector>, <label>): the selector is PromQL.
            if match := re.fullmatch(r"label_values\((.+),\s*\w+\)", text):
                text = match.group(1)
            queries.append(text)
    return queries


def dashboards() -> list[Path]:
    return sorted(DASHBOARDS.glob("*.json"))


def rules() -> list[dict[str, Any]]:
    return [rule for group in ALERTS["groups"] for rule in group["rules"]]


def test_the_parser_finds_the_series_a_query_reads() -> None:
    assert selectors(
        'sum(rate(a_total{service=~"$service"}[$__rate_interval])) / on() b or '
        'histogram_quantile(0.9, rate(c_bucket[5m])) and {__name__=~"suite_.+"}'
    ) == {"a_total": {"service"}, "b": set(), "c_bucket": set(), "suite_.+": set()}
    with pytest.raises(ValueError, match="unclosed left parenthesis"):
        series_read("sum(rate(a_total[5m])")


def test_the_contract_check_notices_an_unknown_metric_or_label() -> None:
    with pytest.raises(AssertionError, match="not in the metric contract"):
        assert_reads_the_contract("rate(suite_messages_handled_total[5m])")
    with pytest.raises(AssertionError, match="has no label"):
        assert_reads_the_contract('suite_outbox_backlog{queue="crm.customer"}')


# --- the contract ---------------------------------------------------------------------------


def test_the_metrics_document_lists_exactly_the_contract() -> None:
    document = (ROOT / "docs" / "operations" / "metrics.md").read_text()
    rows = re.findall(r"^\| `(suite_\w+)` \| (\w+) \| ([^|]+) \|", document, re.MULTILINE)
    assert {name: set(re.findall(r"`(\w+)`", labels)) for name, _, labels in rows} == CONTRACT
    assert {name for name, kind, _ in rows if kind == "histogram"} == set(HISTOGRAMS)


# --- Prometheus -----------------------------------------------------------------------------


def scrape_job(name: str) -> dict[str, Any]:
    [job] = [j for j in PROMETHEUS["scrape_configs"] if j["job_name"] == name]
    return dict(job)


@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_prometheus_scrapes_every_replica_of_every_service(service: str) -> None:
    job = scrape_job(service)
    [discovery] = job["dns_sd_configs"]
    # Docker's DNS answers a service's name with every replica's address.
    assert discovery["names"] == [service]
    assert discovery["type"] == "A"
    assert str(discovery["port"]) == compose_env(service)[f"{service.upper()}_PORT"]
    assert job.get("metrics_path", "/metrics") == "/metrics"
    assert {"target_label": "part_of", "replacement": "customer-suite"} in job["relabel_configs"]


@pytest.mark.parametrize("service", DEPLOYED_SERVICES)
def test_the_metrics_document_names_the_port_of_every_service(service: str) -> None:
    document = (ROOT / "docs" / "operations" / "metrics.md").read_text()
    port = compose_env(service)[f"{service.upper()}_PORT"]
    assert re.search(rf"\b{service} {port}\b", document), f"{service} {port}"
    assert f"`{service}`" in document, f"{service} is not among the `service` label's values"


def test_prometheus_reads_the_queues_from_rabbitmq() -> None:
    job = scrape_job("rabbitmq")
    assert job["static_configs"] == [{"targets": ["rabbitmq:15692"]}]
    assert job["metrics_path"] == "/metrics/detailed"
    assert "queue_coarse_metrics" in job["params"]["family"]


def test_prometheus_runs_with_this_configuration_and_its_rules() -> None:
    prometheus = COMPOSE["services"]["prometheus"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    assert PROMETHEUS["rule_files"] == ["alerts.yml"]


# --- alerts ---------------------------------------------------------------------------------


def test_the_required_alerts_exist() -> None:
    assert {rule["alert"] for rule in rules()} >= REQUIRED_ALERTS


@pytest.mark.parametrize("rule", rules(), ids=lambda r: r["alert"])
def test_every_alert_reads_the_contract_and_says_what_to_do(rule: dict[str, Any]) -> None:
    assert series_read(rule["expr"]), rule["expr"]
    assert_reads_the_contract(rule["expr"], others=OTHER_SERIES_IN_ALERTS)
    assert rule["labels"]["severity"] in ("critical", "warning")
    assert rule["annotations"]["summary"]
    anchor = rule["annotations"]["runbook"].removeprefix("docs/runbook.md#")
    assert f"### {rule['alert']}" in RUNBOOK
    assert anchor == rule["alert"].lower()


# --- Grafana --------------------------------------------------------------------------------


def test_grafana_is_provisioned_from_the_files_in_deploy() -> None:
    grafana = COMPOSE["services"]["grafana"]
    mounts = dict(str(v).rsplit(":", 2)[:2] for v in grafana["volumes"] if str(v).startswith("."))
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    datasources = yaml.safe_load((PROVISIONING / "datasources" / "datasources.yaml").read_text())
    [prometheus] = [d for d in datasources["datasources"] if d["type"] == "prometheus"]
    assert prometheus["url"] == "http://prometheus:9090"
    assert prometheus["uid"] == "prometheus"
    providers = yaml.safe_load((PROVISIONING / "dashboards" / "dashboards.yaml").read_text())
    [provider] = providers["providers"]
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert dashboards(), "no dashboard to provision"


@pytest.mark.parametrize("path", dashboards(), ids=lambda p: p.name)
def test_dashboards_read_only_the_metric_contract(path: Path) -> None:
    dashboard = json.loads(path.read_text())
    queries = dashboard_queries(dashboard)
    assert queries
    for query in queries:
        assert_reads_the_contract(query)
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "prometheus"


def test_the_dashboard_shows_throughput_latency_errors_queues_and_outboxes() -> None:
    dashboard = json.loads((DASHBOARDS / "customer-suite.json").read_text())
    titles = {panel["title"].lower() for panel in dashboard["panels"]}
    for topic in ("throughput", "latency", "errors", "queue depth", "outbox backlog"):
        assert any(topic in title for title in titles), f"no panel on {topic}"
    # Every metric of the contract is on the dashboard, so the two cannot drift apart.
    read = set().union(*(series_read(q) for q in dashboard_queries(dashboard)))
    shown = {name.removesuffix("_bucket") for name in read}
    assert set(CONTRACT) <= shown, set(CONTRACT) - shown
    # Per service: every graph of the suite's own metrics can be narrowed to services.
    for query in panel_queries(dashboard):
        assert 'service=~"$service"' in query, query


# --- traces ---------------------------------------------------------------------------------


def test_traces_go_from_the_services_through_the_collector_to_jaeger() -> None:
    collector = yaml.safe_load((DEPLOY / "otel-collector.yaml").read_text())
    endpoint = compose_env("customer")["OTEL_EXPORTER_OTLP_ENDPOINT"]
    assert endpoint == "http://otel-collector:4318"
    assert collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    traces = collector["service"]["pipelines"]["traces"]
    assert traces["receivers"] == ["otlp"]
    [exporter] = traces["exporters"]
    assert collector["exporters"][exporter]["endpoint"] == "jaeger:4317"
    assert "jaeger" in COMPOSE["services"]
    # Services pushing OTLP metrics as well are answered, not refused.
    assert collector["service"]["pipelines"]["metrics"]["receivers"] == ["otlp"]
