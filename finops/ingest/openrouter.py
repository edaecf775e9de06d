"""OpenRouter chat responses: the OpenAI shape with a `gen-…` id, the upstream `provider`, and
`usage.cost` (credits = USD), `usage.is_byok`, `usage.cost_details`.

Counting is OpenAI's: `prompt_tokens` INCLUDES `prompt_tokens_details.cached_tokens` and
`cache_write_tokens`; `completion_tokens` INCLUDES reasoning. `usage.cost` is what OpenRouter charged:
stored as reported_cost (for BYOK calls, tag `byok=true`, the upstream bills you separately: it is not
the full spend). Model ids are `vendor/model` (`anthropic/claude-sonnet-4.5`): the provider is the
vendor; the platform is openrouter; the upstream that served the call (`provider`) is tag `upstream`.
Time: `created`, else the unix seconds in the id, else the envelope. Dedupe: `openrouter:<id>`.
"""

from __future__ import annotations

import copy
from typing import Any

from finops.ingest import register
from finops.ingest._base import (
    ENVELOPE_BODY_KEYS,
    LogFormat,
    envelope_ts_sql,
    layer,
    staged_select,
    tags_sql,
    tier_sql,
    unwrap_sql,
)
from finops.ingest._common import OPENAI_BODY, md5_key, openai_usage_problem, status_cols, struct
from finops.ingest._common import unwrap_py as unwrap_body
from finops.ingest._vendor import (
    chat_buckets,
    extra_sql,
    is_openrouter_py,
    map_concat_sql,
    tag_entries_sql,
    with_vendor,
)

BODY: dict[str, Any] = copy.deepcopy(OPENAI_BODY)
BODY["provider"] = "VARCHAR"
BODY["usage"].update(
    {
        "cost": "VARCHAR",
        "is_byok": "BOOLEAN",
        "server_tool_use_details": {"web_search_requests": "BIGINT"},
    }
)


@register
class OpenRouter(LogFormat):
    name = "openrouter"
    title = "OpenRouter chat responses"
    identifies = "id 'gen-…' + top-level provider, usage.cost / usage.is_byok"
    example = "aispend ingest openrouter_generations.jsonl"
    priority = 40

    def sniff(self, records: list[dict[str, Any]]) -> bool:
        return any(is_openrouter_py(unwrap_body(r)) for r in records)

    def sql(self) -> str:
        id_secs = "try_cast(nullif(regexp_extract(b.id, '^gen-([0-9]{9,11})-', 1), '') as double)"
        ts = f"coalesce(to_timestamp(coalesce(b.created, id_secs)), {envelope_ts_sql()})"
        ts_source = "case when coalesce(b.created, id_secs) is not null then 'record' else 'envelope' end"
        gateway_tags = tag_entries_sql(
            ("upstream", "b.provider"),
            ("byok", "case when b.usage.is_byok then 'true' when not b.usage.is_byok then 'false' end"),
        )
        cols = staged_select(
            **status_cols("problem"),
            line="line",
            dedupe_key=md5_key("openrouter", "b.id"),
            record_kind="'call'",
            request_count="1",
            ts=ts,
            ts_source=ts_source,
            provider="coalesce(vendor, 'unknown')",
            platform="'openrouter'",
            model_raw="b.model",
            service_tier=tier_sql("b.service_tier"),
            tags=map_concat_sql(tags_sql("env.tags", "env.metadata", "b.metadata"), gateway_tags),
            reported_cost="try_cast(b.usage.cost as decimal(38, 12))",
            request_id="b.id",
            web_searches="coalesce(b.usage.server_tool_use_details.web_search_requests, 0)",
            extra=extra_sql(nested=ENVELOPE_BODY_KEYS),
            **chat_buckets("b.usage", "'openrouter'"),
        )
        src = layer(
            unwrap_sql(struct(BODY), bare="b.object is not null and b.usage is not null"),
            problem=openai_usage_problem("b.usage"),
            id_secs=id_secs,
        )
        return f"select {cols}\nfrom ({with_vendor(src, 'b.model')})"
