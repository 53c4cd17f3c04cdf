"""The OpenAPI schema's shared rules: the errors every operation can give, and the limits every
query-string and path value has (tracker.middleware and legality.input_limits enforce them)."""

from legality.input_limits import MAX_PARAMETER_LENGTH, MAX_QUERY_LENGTH, MAX_QUERY_PARTS

ERROR = {"$ref": "#/components/schemas/Error"}
# Answers any operation can give, whatever its own view says: bad input (a filter, a page
# number, control characters or over-long values caught before the view), no such page or
# place, too many requests (with Retry-After), and a statement cut short by the web timeout.
COMMON_ERRORS = {
    "400": "Bad input: the reason in `detail`, the messages per parameter in `errors`.",
    "404": "No such page of results, place or jurisdiction.",
    "429": "Too many requests from this client: wait the seconds in the Retry-After header.",
    "503": "The answer took too long and was stopped: try again (Retry-After).",
}


# No control characters (C0, DEL, C1) anywhere; a place query also has at most 5 comma parts.
_TEXT = "[^,\\x00-\\x1f\\x7f-\\x9f]"
NO_CONTROL_CHARACTERS = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
PLACE_QUERY = f"^{_TEXT}*(,{_TEXT}*){{0,{MAX_QUERY_PARTS - 1}}}$"


def document_common_errors(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: add COMMON_ERRORS to every API operation, and the
    input limits to every string parameter."""
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                _limit(parameter)
            responses = operation.setdefault("responses", {})
            for code, description in COMMON_ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR}},
                    },
                )
    return result


def _limit(parameter: dict) -> None:
    schema = parameter.get("schema", {})
    if parameter["in"] == "query" and not parameter.get("required"):
        # An empty value means "no filter" (django-filter) or "the default" (format).
        parameter["allowEmptyValue"] = True
    if schema.get("type") != "string" or "enum" in schema or "format" in schema:
        return
    if parameter["name"] == "q":
        schema.update(pattern=PLACE_QUERY, maxLength=MAX_QUERY_LENGTH)
    else:
        pattern = schema.get("pattern")
        if pattern is None:
            schema["pattern"] = NO_CONTROL_CHARACTERS
        elif pattern.startswith("^") and not pattern.endswith("$"):
            # A prefix ("^ocd-division/country:"): the rest of the value has no control characters.
            schema["pattern"] = pattern + NO_CONTROL_CHARACTERS[1:]
        longest = schema.get("maxLength", MAX_PARAMETER_LENGTH)
        schema["maxLength"] = min(longest, MAX_PARAMETER_LENGTH)
