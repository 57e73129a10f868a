"""SDK responses to the raw ARM JSON shape (camelCase, nested `properties`), as ARM sends it.

Two model families are in use:

* The newer clients (network, web, keyvault, containerregistry, storage, subscriptions)
  return dict-backed models that keep the wire JSON, unknown fields and nulls included;
  `as_dict()` hands it back unchanged, with the REST key names.
* The older msrest clients (cognitiveservices, search, msi, authorization, monitor) build
  attribute objects. Their `as_dict()` gives snake_case attribute names, and even
  `serialize(keep_readonly=True)`, which restores the REST names, drops every null and
  every field the SDK's api-version does not know (for instance `allowedContentLevel` of
  content filters written with an older api-version). So for these the collector keeps the
  response body the SDK itself received (captured by a response hook in the same thread)
  and uses `serialize` only when no body was captured.
"""

from __future__ import annotations

from typing import Any

from auditor.arm import ids
from auditor.arm.types import Resource


def is_dict_model(obj: Any) -> bool:
    """An azure-core dict-backed model (TypeSpec clients): `as_dict()` is the wire JSON."""
    return hasattr(obj, "_attr_to_rest_field") and hasattr(obj, "as_dict")


def to_arm(obj: Any) -> Resource:
    """The ARM JSON of one SDK model (or of a body already read as JSON)."""
    if is_dict_model(obj):
        data = obj.as_dict()
    elif hasattr(obj, "_attribute_map") and hasattr(obj, "serialize"):  # msrest model
        data = obj.serialize(keep_readonly=True)
    elif isinstance(obj, dict):
        data = obj
    else:
        raise TypeError(f"cannot turn {type(obj).__name__} into ARM JSON")
    if not isinstance(data, dict):
        raise TypeError(f"{type(obj).__name__} did not give a JSON object")
    return dict(data)


def arm_items(models: list[Any], bodies: list[Any]) -> list[Resource]:
    """The items of a list read: the pages' raw `value` arrays when they match the models."""
    if not models or is_dict_model(models[0]) or isinstance(models[0], dict):
        return [to_arm(m) for m in models]
    raw = [item for body in bodies if isinstance(body, dict) for item in body.get("value") or []]
    if len(raw) == len(models) and all(isinstance(item, dict) for item in raw):
        return [dict(item) for item in raw]
    return [to_arm(m) for m in models]


def arm_item(model: Any, bodies: list[Any]) -> Resource:
    """The body of a single GET: the raw response body for msrest models."""
    if not is_dict_model(model) and not isinstance(model, dict) and bodies and isinstance(bodies[-1], dict):
        return dict(bodies[-1])
    return to_arm(model)


def entry(
    body: Resource,
    rtype: str,
    *,
    collection: str | None = None,
    expected_id: str | None = None,
) -> Resource:
    """Give a body its full ARM type and an id a rule can place.

    Responses sometimes carry only the last type segment (`workspace/outboundRules`),
    lower case, or none at all, and examples use placeholder ids (`string`). The type is
    always the one the collector asked for; the id is kept when it lies where it was read
    (case-insensitively), and otherwise rebuilt from the request path and the name.
    """
    body["type"] = rtype
    rid = body.get("id")
    if expected_id is not None:
        if not (isinstance(rid, str) and ids.norm(rid) == ids.norm(expected_id)):
            body["id"] = expected_id
    elif collection is not None:
        inside = isinstance(rid, str) and ids.norm(rid).startswith(ids.norm(collection) + "/")
        name = body.get("name")
        if not inside and isinstance(name, str) and name.strip("/"):
            body["id"] = f"{collection}/{name.strip('/').rsplit('/', 1)[-1]}"
    return body
