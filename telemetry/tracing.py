"""Optional OpenTelemetry traces from the API through the Temporal client into workflows and activities.

Off by default. With `PRAXIS_OTLP_ENDPOINT` set (a collector's OTLP/HTTP base URL, e.g.
`http://otel-collector:4318`), each process builds one tracer provider that exports spans in batches to
`<endpoint>/v1/traces`: the API's FastAPI instrumentation makes a span per request, and temporalio's
`TracingInterceptor` on the one client (which its worker inherits) carries the context through every
workflow start, update, signal and activity. Spans name workflow and activity types, update names and ids,
never payloads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from config.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from temporalio.contrib.opentelemetry import TracingInterceptor

TRACES_PATH = "/v1/traces"
# Probes and scrapes every few seconds would drown the traces people look for.
UNTRACED_PATHS = "healthz,readyz,metrics"


def traces_url(endpoint: str) -> str:
    """The OTLP/HTTP traces URL for a collector's base URL (as `OTEL_EXPORTER_OTLP_ENDPOINT` is read)."""
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(TRACES_PATH) else endpoint + TRACES_PATH


def tracer_provider(settings: Settings, service: str) -> TracerProvider | None:
    """The process's exporting provider when an endpoint is configured, else None (tracing off)."""
    if not settings.otlp_endpoint:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=traces_url(settings.otlp_endpoint))))
    return provider


def temporal_interceptors(provider: TracerProvider | None) -> list[TracingInterceptor]:
    """For `Client.connect`: the tracing interceptor on the client, and so on every worker built from it."""
    if provider is None:
        return []
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor(provider.get_tracer("praxis"))]


def instrument_api(app: FastAPI, provider: TracerProvider | None) -> None:
    """A server span per request (route template as its name), except probes and scrapes."""
    if provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=UNTRACED_PATHS)
