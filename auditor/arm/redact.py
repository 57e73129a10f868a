"""Secrets out: mask every value in an ARM body that can carry a credential, before anything keeps it.

The collector applies it to each resource before the resource joins the snapshot, and an audit
applies it to a snapshot it loads, so a secret never reaches a snapshot file, a report, a log
line or a history row, whoever produced the JSON. No rule reads a secret: a rule that needs to
know whether a setting exists still finds its name, and an empty value stays empty.

The approach is a deny list by *structure*, then by *name*, then by *value*, on every resource
type alike (a new type is covered before anyone thinks of it):

1. Named values (`appSettings`, `connectionStrings`, `environmentVariables`, in any shape: a
   `{name: value}` object or a list of `{name, value}` items): the names stay, every value is masked.
2. Secret subtrees (`credentials`, `keys` and any `...Keys` collection, `passwords`, `secrets`;
   `data` of a TLS certificate in `sslCertificates`): every string inside is masked but the
   item's `name`, `keyName` and `type`.
3. Secret names (password, secret, connection string, SAS, any name with the word token,
   API/account/master/admin/query key, `key1`...): the string value is masked, unless the name
   ends in a word that names a reference or a setting about the secret (`...Id`, `...Uri`,
   `...Name`, `...Type`, `...Policy`, `...Lifetime`, ...).
4. Secret values, wherever they are: a URL with a password in it loses the password; a string
   carrying a connection-string or SAS credential (`AccountKey=`, `SharedAccessKey = `, `Password=`,
   `sig=`), a private key block or a JSON web token is masked whole; the credentials of an
   `Authorization` header, a bearer token and HTTP basic credentials lose their value. A string
   that looks like a generated key (long, random-looking, no spaces) is masked where its name
   says "key" and in tags.

Only strings are ever masked: booleans, numbers and nulls cannot carry a secret and are what rules
read (`allowSharedKeyAccess`, `adminUserEnabled`, `disableLocalAuth`).
"""

from __future__ import annotations

import base64
import binascii
import functools
import math
import re
from collections import Counter
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.arm.snapshot import Snapshot

REDACTED = "[redacted]"

# 1. Objects or lists of named values: the names stay, the values go.
_NAMED_VALUES = frozenset({"appsettings", "connectionstrings", "environmentvariables"})
# 2. Subtrees whose every string is a secret, bar the labels that identify an item.
_SECRET_SUBTREES = frozenset({"credentials", "keys", "passwords", "secrets"})
# ...and any other collection of keys (`accessKeys`, `apiKeys`: `{"primary": KEY}`).
_KEY_COLLECTION_SUFFIX = "keys"
_LABELS = frozenset({"name", "keyname", "type"})
# Collections of TLS certificates, whose `data` is the certificate with its private key (PFX).
_CERTIFICATE_LISTS = frozenset({"sslcertificates"})
# 3. Names of secret values (lower case, matched anywhere in the name); tag names need the long ones,
# since a tag called `key` or `token` names a label, not a credential.
_SECRET_WORDS = (
    r"password|passwd|secret|connectionstring|sastoken|sasurl|sasuri|sasdefinition|accesstoken|"
    r"refreshtoken|apikey|accesskey|accountkey|masterkey|adminkey|querykey|primarykey|secondarykey|"
    r"sharedaccesskey|sharedkey|privatekey|signingkey|instrumentationkey"
)
_SECRET_NAME = re.compile(_SECRET_WORDS + r"|^(?:key\d*|token|sas|pat|pwd)$")
_SECRET_TAG_NAME = re.compile(_SECRET_WORDS)
# A token wherever "token" is a word of the name (`authToken`, `githubToken`, `tokenValue`, `bearer_token`);
# camelCase and snake_case parts, read from the name as written.
_WORD_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# ...except names that end in a word naming a reference to the secret or a setting about it.
_NOT_A_SECRET = re.compile(
    r"(?<!sas)(?:id|ids|uri|url)$|(?:name|names|type|types|version|versions|policy|policies|period|"
    r"mode|source|enabled|disabled|state|status|expiry|expiration|expirationtime|time|count|length|"
    r"permissions|location|settings|identity|required|supported|reference|references|lifetime|"
    r"audience|audiences|issuer|issuers|endpoint|endpoints)$"
)
# 4. Values that carry a credential, whatever their name.
_CREDENTIAL_IN_TEXT = re.compile(
    r"(?:^|[;&?\s])(?:accountkey|sharedaccesskey|sharedaccesssignature|password|pwd|sig|clientsecret|"
    r"accesskey)[ \t]*=[ \t]*\S|-----BEGIN [A-Z ]*PRIVATE KEY-----|\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.",
    re.IGNORECASE,
)
# Credentials of an HTTP `Authorization` header an error message quotes: the scheme stays, the rest goes.
_AUTH_HEADER = re.compile(
    r"(?P<head>\b(?:proxy-)?authorization[ \t]*[:=][ \t]*)(?:(?P<scheme>bearer|basic|sharedkey|"
    r"sharedaccesssignature)[ \t]+)?[^\s,;'\"]+",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(?P<scheme>bearer)[ \t]+[A-Za-z0-9._~+/-]{16,}=*", re.IGNORECASE)
_BASIC = re.compile(r"\b(?P<scheme>Basic)[ \t]+(?P<b64>[A-Za-z0-9+/]{6,}={0,2})(?![\w+/=])")
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s:]*:[^/@\s]+@", re.IGNORECASE)
_KEY_LIKE = re.compile(r"^[A-Za-z0-9+/_=-]{20,}$")
# When a key was made or expires (`keyCreationTime.key1`) is no secret.
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}|$)")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def redact_resource(resource: dict[str, Any]) -> int:
    """Mask the secrets of one ARM body in place; return how many values were masked."""
    counter = [0]
    if str(resource.get("type", "")).lower().endswith("/secrets"):
        # A Key Vault secret as its own resource: its value, whatever it is called.
        resource["properties"] = _all_strings(resource.get("properties"), counter)
    for name, value in resource.items():
        if name.lower() == "tags" and isinstance(value, dict):
            resource[name] = {k: _tag(k, v, counter) for k, v in value.items()}
        else:
            resource[name] = _walk(name, value, counter, ())
    return counter[0]


def redact_all(resources: list[dict[str, Any]]) -> int:
    """Mask the secrets of every body in place; return how many values were masked."""
    return sum(redact_resource(r) for r in resources)


def redact_snapshot(snapshot: Snapshot) -> int:
    """Mask the secrets of a snapshot's resources and of the messages of its failed reads, in place."""
    masked = redact_all(snapshot.resources)
    for error in snapshot.errors:
        cleaned = mask_text(error.message)
        masked += cleaned != error.message
        error.message = cleaned
    return masked


def mask_text(text: str) -> str:
    """A free text (an error message ARM sent) without the credentials it might quote."""
    # Cheap tests first: most strings hold none of the characters a credential needs.
    if "@" in text and "://" in text:
        text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{REDACTED}@", text)
    if (
        "uthorization" in text
        or "UTHORIZATION" in text
        or "earer" in text
        or "EARER" in text
        or "Basic" in text
    ):
        text = _mask_authorization(text)
    if ("=" in text or "-----" in text or "eyJ" in text) and _CREDENTIAL_IN_TEXT.search(text):
        return REDACTED
    return text


def _mask_authorization(text: str) -> str:
    """`text` without the credentials of an `Authorization` header, a bearer token or basic credentials."""

    def header(m: re.Match[str]) -> str:
        return f"{m['head']}{m['scheme'] + ' ' if m['scheme'] else ''}{REDACTED}"

    text = _AUTH_HEADER.sub(header, text)
    text = _BEARER.sub(lambda m: f"{m['scheme']} {REDACTED}", text)
    return _BASIC.sub(lambda m: f"{m['scheme']} {REDACTED}" if _is_basic_credential(m["b64"]) else m[0], text)


def _is_basic_credential(value: str) -> bool:
    """Base64 of `user:password` (so that prose such as "Basic tier" stays)."""
    if len(value) % 4:
        return False
    try:
        decoded = base64.b64decode(value, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return ":" in decoded and decoded.isprintable()


def looks_like_key(value: str) -> bool:
    """A generated key, token or password: long, no spaces, random-looking, not a GUID."""
    if not _KEY_LIKE.match(value) or _GUID.match(value):
        return False
    if not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
        return False
    separators = sum(c in "-_" for c in value)
    return separators <= len(value) // 12 and _entropy(value) >= 3.5


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _walk(name: str, value: Any, counter: list[int], parents: tuple[str, ...]) -> Any:
    """The value of property `name` (under `parents`, lower case) with its secrets masked.

    Objects and lists are cleaned in place (a snapshot is never held twice): their keys stay.
    """
    key, kind = _key_kind(name)
    if kind is _Kind.NAMED:
        return _named_values(value, counter)
    if kind is _Kind.PERMISSIONS:
        # Operation names (Key Vault access policies list `permissions.keys` and `.secrets`).
        return value
    if kind is _Kind.SUBTREE or (kind is _Kind.KEYS and isinstance(value, (dict, list))):
        return _all_strings(value, counter)
    if kind is _Kind.DATA and any(p in _CERTIFICATE_LISTS for p in parents):
        return _all_strings(value, counter)
    if isinstance(value, str):
        return _string(name, value, counter)
    if isinstance(value, dict):
        inner = (*parents, key)
        for k, v in value.items():
            if isinstance(v, str):
                # Most values: a plain string under a plain name, judged by `_string` straight away.
                if _key_kind(k)[1] in _PLAIN_FOR_STRINGS:
                    cleaned = _string(k, v, counter)
                    if cleaned is not v:
                        value[k] = cleaned
                    continue
            elif isinstance(v, (bool, int, float)) or v is None:
                continue  # never a secret (see the module's docstring)
            value[k] = _walk(k, v, counter, inner)
        return value
    if isinstance(value, list):  # each item stands where the list stands
        for index, item in enumerate(value):
            value[index] = _walk(name, item, counter, parents)
        return value
    return value


class _Kind(Enum):
    """What a property's name says about its value, before the value is looked at."""

    NAMED = "named values"
    PERMISSIONS = "operation names"
    SUBTREE = "secret subtree"
    KEYS = "a collection of keys when an object or a list"
    DATA = "certificate data inside a certificate list"
    OTHER = "judged by its value"


# The kinds under which `_walk` hands a string to `_string` unchanged.
_PLAIN_FOR_STRINGS = frozenset({_Kind.OTHER, _Kind.KEYS})


@functools.lru_cache(maxsize=8192)
def _key_kind(name: str) -> tuple[str, _Kind]:
    """The name in lower case and its kind; names repeat across every resource of a snapshot."""
    key = name.lower()
    if key in _NAMED_VALUES:
        return key, _Kind.NAMED
    if key == "permissions":
        return key, _Kind.PERMISSIONS
    if key in _SECRET_SUBTREES:
        return key, _Kind.SUBTREE
    if key.endswith(_KEY_COLLECTION_SUFFIX):
        return key, _Kind.KEYS
    if key == "data":
        return key, _Kind.DATA
    return key, _Kind.OTHER


def _string(name: str, value: str, counter: list[int]) -> str:
    if not value or value == REDACTED:
        return value  # an empty value says "set but empty", and holds nothing
    secret_name, key_name = _name_kind(name)
    if (secret_name or (key_name and looks_like_key(value))) and not _TIMESTAMP.match(value):
        return _masked(counter)
    cleaned = mask_text(value)
    if cleaned != value:
        counter[0] += 1
    return cleaned


@functools.lru_cache(maxsize=4096)
def _name_kind(name: str) -> tuple[bool, bool]:
    """(a secret's name, a name that says "key") for a property name as written; names repeat a lot."""
    key = name.lower()
    if _NOT_A_SECRET.search(key):
        return False, False
    token = "token" in key and "token" in (part.lower() for part in _WORD_PARTS.findall(name))
    return token or bool(_SECRET_NAME.search(key)), "key" in key


def _tag(name: str, value: Any, counter: list[int]) -> Any:
    if not isinstance(value, str) or not value or value == REDACTED:
        return value
    if _SECRET_TAG_NAME.search(name.lower()) or looks_like_key(value):
        return _masked(counter)
    return _string("", value, counter)


def _named_values(value: Any, counter: list[int]) -> Any:
    """`{name: value}` or `[{name, value, ...}]`: every name kept, every value masked."""
    if isinstance(value, dict):
        return {k: _all_strings(v, counter) for k, v in value.items()}
    if isinstance(value, list):
        return [_all_strings(item, counter) for item in value]
    return _all_strings(value, counter)


def _all_strings(value: Any, counter: list[int], label: bool = False) -> Any:
    """Every non-empty string in `value` masked, except the labels of an item."""
    if isinstance(value, str):
        return value if label or not value or value == REDACTED else _masked(counter)
    if isinstance(value, dict):
        return {k: _all_strings(v, counter, k.lower() in _LABELS) for k, v in value.items()}
    if isinstance(value, list):
        return [_all_strings(item, counter) for item in value]
    return value


def _masked(counter: list[int]) -> str:
    counter[0] += 1
    return REDACTED
