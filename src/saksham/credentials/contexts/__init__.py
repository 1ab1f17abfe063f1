"""The JSON-LD contexts certificates use, shipped with the project: the verifier never fetches a context.

``document_loader`` is the PyLD document loader of every JSON-LD operation here: it serves these files and
refuses any other URL (so a credential naming an unknown context fails to process instead of reaching out).
"""

import json
from functools import cache
from pathlib import Path

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

_HERE = Path(__file__).resolve().parent
FILES = {
    VC_V2: "credentials-v2.json",
    VC_EXAMPLES_V2: "credentials-examples-v2.json",
    OB_V3: "ob-v3p0-context-3.0.3.json",
}


@cache
def context(url: str) -> dict:
    return json.loads((_HERE / FILES[url]).read_text())


def known(url) -> bool:
    return isinstance(url, str) and url in FILES


def document_loader(url: str, options=None) -> dict:
    from pyld.jsonld import JsonLdError

    if not known(url):
        raise JsonLdError(f"context {url} is not shipped with the platform (contexts are never fetched)",
                          "jsonld.LoadDocumentError", {"url": url}, code="loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": context(url)}
