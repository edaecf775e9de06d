"""SQL helpers for gateway and multi-vendor formats (Bedrock, OpenRouter, LiteLLM, Langfuse, Helicone, OTel,
OpenAI-compatible hosts): which vendor made a model, which platform served a call, dedupe keys equal to
the provider formats' own keys, tag maps, and the `extra` column without message content.
"""

from __future__ import annotations

import json
from typing import Any

from finops.ingest._base import CONTENT_KEYS, layer, strip_content_sql, ts_sql
from finops.ingest._common import openai_buckets

# Bedrock ids: [geo.]vendor.model[-vN:M] (also the tail of an ARN).
BEDROCK_GEOS = "us|eu|apac|global|us-gov|jp|au|ca"
BEDROCK_VENDORS = (
    "anthropic|meta|amazon|mistral|cohere|ai21|deepseek|openai|writer|qwen|twelvelabs|stability|luma|moonshot|google"
)

# Model family (the id's last path segment, lowercased) → vendor. Order matters: a distilled
# `deepseek-r1-distill-llama` is DeepSeek's, not Meta's; OpenAI first (the most common, checked cheaply).
_FAMILIES: tuple[tuple[str, str], ...] = (
    (
        "^(gpt-|gpt4|o[1-9]([-.]|$)|chatgpt|ft:gpt|ft:o[1-9]|text-embedding|text-davinci|davinci|babbage|"
        "codex-|computer-use|omni-moderation|dall-e|whisper|tts-)",
        "openai",
    ),
    ("deepseek", "deepseek"),
    ("^(qwen|qwq)", "qwen"),
    ("^grok", "xai"),
    ("claude", "anthropic"),
    ("^(gemini|gemma|palm|text-bison|chat-bison)", "google"),
    ("^(mistral|mixtral|codestral|magistral|ministral|pixtral|devstral|voxtral|open-mistral|open-mixtral)", "mistral"),
    ("llama", "meta"),
    ("^command", "cohere"),
    ("^(kimi|moonshot)", "moonshot"),
    ("^(glm|chatglm)", "zhipu"),
    ("^(nova|titan)", "amazon"),
    ("jamba", "ai21"),
    ("^phi-", "microsoft"),
)

# Gateway id prefixes (`vendor/model`, OpenRouter and Hugging Face style) → vendor.
_ORGS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "meta-llama": "meta",
    "meta": "meta",
    "mistralai": "mistral",
    "mistral": "mistral",
    "x-ai": "xai",
    "xai": "xai",
    "deepseek": "deepseek",
    "deepseek-ai": "deepseek",
    "qwen": "qwen",
    "moonshotai": "moonshot",
    "z-ai": "zhipu",
    "zai-org": "zhipu",
    "thudm": "zhipu",
    "cohere": "cohere",
    "amazon": "amazon",
    "microsoft": "microsoft",
    "nvidia": "nvidia",
    "ai21": "ai21",
}


def q(s: str) -> str:
    """A SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


# The vendor of each logged model id met so far in an ingest run: (model id, vendor) rows, a pure function
# remembered. with_vendor reads it first: a log holds a handful of model ids, and testing a dozen regular
# expressions on every record cost a fifth of a chat completion's SQL. The ingest adds each batch's new ids
# (finops.ingest.remember_vendors); an id not in it is worked out on the record, as without it.
VENDOR_MEMO = "vendor_memo"
VENDOR_MEMO_DDL = f"create temp table if not exists {VENDOR_MEMO} (_vm_model varchar, _vm_vendor varchar)"


def with_vendor(source: str, model: str, name: str = "vendor", low: str | None = None) -> str:
    """A layer over the relation `source` adding the column `name`: the vendor that made the logged model
    id `model` (openai, anthropic, google, meta, …), NULL if unknown.

    Reads Bedrock ids and ARNs (`us.anthropic.claude…`), gateway ids (`anthropic/claude-sonnet-4.5`,
    `accounts/fireworks/models/llama-v3p1-70b-instruct`) and bare ids (`deepseek-chat`, `grok-3`): the
    lowercased id, its last path segment and its first one are computed once (helper columns, dropped;
    `low`: keep the lowercased, trimmed id as a column of that name). An id in VENDOR_MEMO is looked up.
    """
    memo = f"select * from ({source}) left join {VENDOR_MEMO} on _vm_model = {model}"
    keys = layer(
        layer(memo, _mv_low=f"lower(trim({model}))"),
        _mv_base="case when contains(_mv_low, '/') then regexp_replace(_mv_low, '^.*/', '') else _mv_low end",
        _mv_org="case when contains(_mv_low, '/') then split_part(_mv_low, '/', 1) end",
    )
    keep = f", _mv_low as {low}" if low else ""
    return f"""select * exclude (_mv_low, _mv_base, _mv_org, _vm_model, _vm_vendor){keep},
           case when _vm_model is not null then _vm_vendor else {vendor_of_sql()} end as {name}
    from ({keys})"""


def vendor_of_sql() -> str:
    """SQL: the vendor from with_vendor's helper columns _mv_low, _mv_base, _mv_org."""
    fam = " ".join(f"when regexp_matches(_mv_base, {q(rx)}) then {q(v)}" for rx, v in _FAMILIES)
    bedrock = f"nullif(regexp_extract(_mv_base, '^(({BEDROCK_GEOS})\\.)?({BEDROCK_VENDORS})\\.', 3), '')"
    org = " ".join(f"when {q(k)} then {q(v)}" for k, v in _ORGS.items())
    return f"coalesce(case {fam} end, {bedrock}, case _mv_org {org} end)"


PLATFORM_OF_PROVIDER = {
    # gateway / SDK provider names → our platform names
    "openai": "openai",
    "azure": "azure",
    "azure_ai": "azure",
    "azure.ai.openai": "azure",
    "az.ai.openai": "azure",
    "azure.ai.inference": "azure",
    "az.ai.inference": "azure",
    "anthropic": "anthropic",
    "bedrock": "bedrock",
    "aws.bedrock": "bedrock",
    "aws": "bedrock",
    "sagemaker": "sagemaker",
    "vertex_ai": "vertex",
    "vertex_ai_beta": "vertex",
    "vertex": "vertex",
    "gcp.vertex_ai": "vertex",
    "google": "gemini_api",
    "gemini": "gemini_api",
    "gcp.gemini": "gemini_api",
    "gcp.gen_ai": "gemini_api",
    "openrouter": "openrouter",
    "groq": "groq",
    "deepseek": "deepseek",
    "together_ai": "together",
    "together": "together",
    "togetherai": "together",
    "fireworks_ai": "fireworks",
    "fireworks": "fireworks",
    "mistral": "mistral",
    "mistral_ai": "mistral",
    "mistralai": "mistral",  # OpenInference llm.provider / llm.system (SemanticConventions LLMProvider)
    "vertexai": "vertex",  # OpenInference llm.system
    "xai": "xai",
    "x_ai": "xai",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "perplexity": "perplexity",
    "ibm.watsonx.ai": "watsonx",
    "watsonx": "watsonx",
    "ollama": "ollama",
    "ollama_chat": "ollama",
    "hosted_vllm": "openai_compatible",
    "openai_compatible": "openai_compatible",
    "x": "xai",  # Helicone's name for xAI
}


def anthropic_platform_sql(msg_id: str) -> str:
    """SQL: the platform that served a Claude message, from its id: Amazon Bedrock and Google Vertex return
    Anthropic-shaped bodies whose ids are their own (`msg_bdrk_…`, `msg_vrtx_…`) beside a bare model name, and
    bill at their own rates (bedrock.toml / vertex.toml); any other id is Anthropic's API. `msg_id`: a column."""
    return f"""(case when {msg_id} like 'msg_bdrk_%' then 'bedrock'
                     when {msg_id} like 'msg_vrtx_%' then 'vertex' else 'anthropic' end)"""


# Platforms where a vendor serves its own models: the vendor when nothing else names the platform.
DIRECT_PLATFORMS = ("openai", "anthropic", "deepseek", "mistral", "xai", "cohere")


def platform_of_provider_sql(name: str) -> str:
    """SQL: a gateway's provider name (LiteLLM `custom_llm_provider`, Helicone `provider`, OTel
    `gen_ai.provider.name`) → platform; unknown names are kept, lowercased. `name`: a column (read once
    per known name)."""
    cases = " ".join(f"when {q(k)} then {q(v)}" for k, v in PLATFORM_OF_PROVIDER.items())
    return f"(case lower(trim({name})) {cases} else nullif(lower(trim({name})), '') end)"


def direct_platform_sql(vendor: str) -> str:
    """SQL: the vendor's own platform (google → gemini_api) when nothing says where a call ran."""
    own = ", ".join(q(p) for p in DIRECT_PLATFORMS)
    return f"(case when {vendor} in ({own}) then {vendor} when {vendor} = 'google' then 'gemini_api' end)"


OPENAI_COMPATIBLE = (
    "openai",
    "azure",
    "groq",
    "deepseek",
    "together",
    "fireworks",
    "mistral",
    "xai",
    "openai_compatible",
    "openrouter",
)


def provider_key_sql(id_expr: str, fallback_prefix: str, platform: str | None = None) -> str:
    """SQL: a dedupe key equal to the one the provider's own format gives the same call.

    `chatcmpl-…` / `resp_…` → openai:…, `msg_…` → anthropic:…, `gen-…` → openrouter:…; an other id of
    an OpenAI-compatible platform → openai:… (openai.chat keys every chat.completion body that way);
    else `<fallback_prefix>:id`. NULL when the id is NULL. `id_expr` and `platform`: columns (each is
    read several times).
    """
    compat = ""
    if platform is not None:
        plats = ", ".join(q(p) for p in OPENAI_COMPATIBLE)
        compat = f"when {platform} in ({plats}) then 'openai:' || {id_expr}"
    return f"""(case when {id_expr} is null or trim({id_expr}) = '' then null
        when {id_expr} like 'chatcmpl-%' or {id_expr} like 'resp_%' then 'openai:' || {id_expr}
        when {id_expr} like 'msg_%' then 'anthropic:' || {id_expr}
        when {id_expr} like 'gen-%' then 'openrouter:' || {id_expr}
        {compat}
        else {q(fallback_prefix + ":")} || {id_expr} end)"""


def tag_entries_sql(*pairs: tuple[str, str]) -> str:
    """SQL: a MAP(VARCHAR, VARCHAR) of the given (key, SQL value) pairs, NULL and empty values left out."""
    entries = ", ".join(f"{{'key': {q(k)}, 'value': cast({v} as varchar)}}" for k, v in pairs)
    return f"map_from_entries(list_filter([{entries}], lambda x: x.value is not null and x.value <> ''))"


def clean_map_sql(m: str) -> str:
    """SQL: a MAP(VARCHAR, VARCHAR) without NULL or empty values (NULL map → empty map)."""
    return (
        f"map_from_entries(list_filter(coalesce(map_entries({m}), []), "
        "lambda x: x.value is not null and x.value <> ''))"
    )


def json_map_sql(expr: str) -> str:
    """SQL: a JSON object (or a JSON string holding one) → MAP(VARCHAR, VARCHAR) (nested values as JSON text)."""
    return clean_map_sql(f"""try(json_transform({json_value_sql(expr)}, '"MAP(VARCHAR, VARCHAR)"'))""")


def json_value_sql(expr: str) -> str:
    """SQL: a JSON value that may be a JSON-encoded STRING holding JSON (LiteLLM `metadata`) → the JSON inside."""
    return f"(case when json_type({expr}) = 'VARCHAR' then try(cast(({expr} ->> '$') as json)) else {expr} end)"


def map_concat_sql(*maps: str) -> str:
    """SQL: maps merged left to right (later keys win); NULL maps are ignored."""
    return "map_concat(" + ", ".join(f"coalesce({m}, map())" for m in maps) + ")"


_NULLS = {k: None for k in CONTENT_KEYS}


def extra_sql(raw: str = "raw", nested: tuple[str, ...] = (), drop: tuple[str, ...] = ()) -> str:
    """SQL: the record as JSON with message content removed (strip_content_sql at the top level, inside
    the objects under `nested` keys too), and the keys in `drop` removed. NULL when raw is not JSON."""
    x = strip_content_sql(raw)
    if drop:
        x = f"json_merge_patch({x}, {q(json.dumps(dict.fromkeys(drop)))})"
    for k in nested:
        patch: dict[str, Any] = {k: _NULLS}
        x = f"""json_merge_patch({x}, case when json_type({raw}, {q("$." + json.dumps(k))}) = 'OBJECT'
                  then {q(json.dumps(patch))} else '{{}}' end)"""
    # nested CASEs: DuckDB may evaluate both sides of an AND, and json_type fails on malformed JSON
    return f"(case when json_valid({raw}) then case when json_type({raw}) = 'OBJECT' then {x} end end)"


# ---------------------------------------------------------------- OpenAI-shaped bodies from other hosts


def azure_deployment_sql(raw: str = "raw") -> str:
    """SQL: the Azure deployment name an application-log envelope gives: a `deployment` /
    `deployment_id` / `azure_deployment` field, else `/openai/deployments/{name}/` in a logged URL."""
    field = " ".join(
        f"""when contains({raw}, '"{k}"') then try(json_extract_string({raw}, '$.{k}'))"""
        for k in ("deployment", "deployment_id", "azure_deployment")
    )
    url = f"nullif(regexp_extract({raw}, '/openai/deployments/([^/?\"\\\\]+)', 1), '')"
    return f"coalesce(case {field} end, case when contains({raw}, '/openai/deployments/') then {url} end)"


def chat_platform_sql(low: str, *, azure: str, groq: str, deepseek: str, vendor: str) -> str:
    """SQL: which host served an OpenAI-shaped chat body, from marker fields first, then the model id.

    azure / groq / deepseek: SQL conditions for the markers (content filters; x_groq or usage.queue_time;
    usage.prompt_cache_hit_tokens). Model ids: `accounts/fireworks/…` → fireworks; `togethercomputer/…`
    or an `org/Model-…-Turbo|Lite|Reference` id → together; Groq's `-versatile` / `-instant` names →
    groq; `deepseek-chat|reasoner|coder` → deepseek; `grok-*` → xai; Mistral's names → mistral; OpenAI
    ids → openai; anything else (self-hosted vLLM, other `org/model` ids) → openai_compatible.
    low: the column holding the model id trimmed and lowercased; vendor: the column holding the model's
    vendor (with_vendor).
    """

    def ends(*suffixes: str) -> str:  # plain string tests: cheaper than a regular expression on every record
        return " or ".join(f"ends_with({low}, {q(x)})" for x in suffixes)

    return f"""(case
        when {azure} then 'azure'
        when {groq} then 'groq'
        when {deepseek} then 'deepseek'
        when {low} like 'accounts/fireworks/%' then 'fireworks'
        when {low} like 'togethercomputer/%'
             or (contains({low}, '/') and ({ends("-turbo", "-lite", "-reference")})) then 'together'
        when contains({low}, '/') then 'openai_compatible'
        when {ends("-versatile", "-instant")} then 'groq'
        when {low} in ('deepseek-chat', 'deepseek-reasoner', 'deepseek-coder') then 'deepseek'
        when {vendor} in ('openai', 'xai', 'mistral') then {vendor}
        when {low} is null then 'openai'
        else 'openai_compatible' end)"""


def is_litellm_py(r: dict[str, Any]) -> bool:
    """For sniffing: a LiteLLM SpendLogs row or StandardLoggingPayload (its `response` is not an envelope)."""
    return ("call_type" in r and "spend" in r and "startTime" in r) or (
        "response_cost" in r and ("hidden_params" in r or "model_map_information" in r)
    )


def is_openrouter_py(body: dict[str, Any]) -> bool:
    """For sniffing: an OpenRouter response body (`gen-…` id with a top-level provider or usage.cost)."""
    usage = body.get("usage")
    return str(body.get("id", "")).startswith("gen-") and (
        "provider" in body or (isinstance(usage, dict) and ("cost" in usage or "is_byok" in usage))
    )


def naive_utc_ts_sql(expr: str) -> str:
    """SQL: a time that may be naive (`2025-01-24 09:20:46.847371`: read as UTC), zoned ISO, or unix seconds."""
    return f"""(case when regexp_matches({expr}, '^\\s*\\d{{4}}-\\d\\d-\\d\\d[ T][0-9:.]+\\s*$')
                     then timezone('UTC', try_cast({expr} as timestamp)) else {ts_sql(expr)} end)"""


def reasoning_outside_sql(u: str, platform: str) -> str:
    """SQL condition: this OpenAI-shaped usage `u` counts reasoning OUTSIDE completion_tokens (xAI:
    total_tokens = prompt + completion + reasoning), unlike OpenAI (reasoning inside completion)."""
    r = f"coalesce({u}.completion_tokens_details.reasoning_tokens, 0)"
    return f"""({r} > 0 and ({r} > {u}.completion_tokens
        or {u}.total_tokens = {u}.prompt_tokens + {u}.completion_tokens + {r}
        or ({u}.total_tokens is null and {platform} = 'xai')))"""


def chat_buckets(u: str, platform: str) -> dict[str, str]:
    """openai_buckets, with reasoning added to output where the host counts it outside completion_tokens."""
    b = openai_buckets(u)
    b["output"] = (
        f"case when {reasoning_outside_sql(u, platform)} then {b['output']} + {b['reasoning']} else {b['output']} end"
    )
    return b
