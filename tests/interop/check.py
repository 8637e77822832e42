#!/usr/bin/env python3
"""Interoperability checks: real third-party clients against a running Kaifang portal.

The portal's read surfaces claim compatibility with established tools; this
script asks those tools rather than re-implementing their expectations:

  a. ckanapi action package_search      (CKAN Action API, search; with the harvester's
                                        metadata_modified ranges, current_package_list_with_resources,
                                        package_autocomplete, format_autocomplete)
  b. ckanapi dump datasets --all        (package_list + package_show)
  c. ckanapi dump datasets OPEN -D DIR  (resource downloads via resource.url)
  d. frictionless validate              (Data Package v2 + Table Schema + CSV)
  e. rdflib + pySHACL                  (DCAT-AP 3 catalogue, Turtle and JSON-LD,
                                         Hydra paging, access rights; every page and
                                         every per-dataset document validated against
                                         the official DCAT-AP 3.0.1 SHACL shapes)
  f. openapi-spec-validator             (OpenAPI 3.1 document)

Each check prints one line, "ok: ..." or "FAIL: ..." with the evidence, and the
script exits 1 if any check failed.  It only reads from the portal; the caller
owns its fixtures (an open, a conditional, a closed and a draft dataset, and a
--query word that matches the titles of both the open and the conditional one).

Run it with the interpreter of the venv the requirements were installed into
(target/interop-venv/bin/python): the ckanapi and frictionless executables are
looked up next to that interpreter unless --ckanapi/--frictionless say otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import pyshacl
import rdflib
from openapi_spec_validator import OpenAPIV31SpecValidator
from rdflib import Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS as DCT, FOAF, RDF, SH, SKOS, XSD

SUBPROCESS_TIMEOUT = 60  # seconds, per client invocation
HTTP_TIMEOUT = 30  # seconds, per plain GET
MAX_CATALOG_PAGES = 50
MAX_LISTED_PROBLEMS = 10
MAX_REPORT_LINES = 150  # of a failing pySHACL report

# The official DCAT-AP 3.0.1 shapes, vendored byte for byte (see README.md for provenance).
DCAT_AP_SHAPES = Path(__file__).with_name("dcat-ap-3.0.1-SHACL.ttl")

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
ACCESS_RIGHT = "http://publications.europa.eu/resource/authority/access-right/"
PUBLIC = URIRef(ACCESS_RIGHT + "PUBLIC")
RESTRICTED = URIRef(ACCESS_RIGHT + "RESTRICTED")
NON_PUBLIC = URIRef(ACCESS_RIGHT + "NON_PUBLIC")
DATAPACKAGE_V2 = re.compile(r"^https://datapackage\.org/profiles/2\.\d+/datapackage\.json$")
INLINE_DATA_KEYS = {"data", "records", "rows"}


# --------------------------------------------------------------------------
# Reporting and small helpers
# --------------------------------------------------------------------------


class CheckError(Exception):
    """A check could not even be carried out; the message is the evidence."""


class Report:
    def __init__(self) -> None:
        self.passes = 0
        self.failures = 0

    def ok(self, message: str) -> None:
        self.passes += 1
        print(f"ok: {message}", flush=True)

    def fail(self, message: str) -> None:
        self.failures += 1
        print(f"FAIL: {message}", flush=True)

    def expect(self, condition: bool, message: str, evidence: str = "") -> bool:
        """One check line: `message` when it holds, `message` plus evidence when not."""
        if condition:
            self.ok(message)
        else:
            self.fail(f"{message}: {evidence}" if evidence else message)
        return condition

    def problems(self, message: str, problems: list[str]) -> bool:
        """One check line for a list of problems found (none means ok)."""
        if problems:
            shown = "; ".join(problems[:MAX_LISTED_PROBLEMS])
            more = len(problems) - MAX_LISTED_PROBLEMS
            self.fail(f"{message}: {shown}" + (f" (and {more} more)" if more > 0 else ""))
            return False
        self.ok(message)
        return True

    def detail(self, text: str, limit: int = MAX_REPORT_LINES) -> None:
        """Evidence too long for one line (a pySHACL report), indented under the last line."""
        lines = text.rstrip().splitlines()
        for line in lines[:limit]:
            print(f"    {line}", flush=True)
        if len(lines) > limit:
            print(f"    ... ({len(lines) - limit} more lines)", flush=True)

    def section(self, title: str, body: Callable[[], None]) -> None:
        """Run one group of checks; an unexpected error fails the group, not the run."""
        try:
            body()
        except CheckError as err:
            self.fail(f"{title}: {err}")
        except Exception as err:  # noqa: BLE001 - report, then carry on with the next group
            self.fail(f"{title}: unexpected {type(err).__name__}: {err}")


def clip(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def tail(text: str, lines: int = 3, limit: int = 400) -> str:
    """The end of a tool's output, where a traceback names its exception."""
    text = " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])
    return text if len(text) <= limit else "..." + text[-(limit - 3):]


@dataclass
class HttpResponse:
    url: str
    status: int
    content_type: str
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as err:
            raise CheckError(f"GET {self.url}: body is not JSON ({err}): {clip(self.text(), 200)}")


def http_get(url: str, accept: Optional[str] = None) -> HttpResponse:
    """A plain anonymous GET; HTTP error statuses are returned, not raised."""
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as resp:
            return HttpResponse(url, resp.status, resp.headers.get("Content-Type", ""), resp.read())
    except urllib.error.HTTPError as err:
        return HttpResponse(url, err.code, err.headers.get("Content-Type", ""), err.read())
    except (urllib.error.URLError, OSError) as err:
        raise CheckError(f"GET {url}: {err}")


def run_tool(argv: list[str], env: Optional[dict] = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=SUBPROCESS_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise CheckError(f"`{' '.join(argv)}` did not finish within {SUBPROCESS_TIMEOUT}s")
    except OSError as err:
        raise CheckError(f"cannot run `{argv[0]}`: {err}")


def tool_failed(proc: subprocess.CompletedProcess) -> str:
    return f"`{' '.join(proc.args)}` exited {proc.returncode}: {tail(proc.stderr or proc.stdout)}"


def is_http_url(value) -> bool:
    return isinstance(value, str) and urllib.parse.urlsplit(value).scheme in ("http", "https")


def looks_like_csv(data: bytes) -> bool:
    first_line = data.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    return b"," in first_line and not first_line.lstrip().startswith(b"<")


def serves_data_anonymously(url: str) -> tuple[bool, str]:
    """Whether an anonymous GET of `url` hands out data (rather than a refusal or a page)."""
    if not is_http_url(url):
        return False, f"{url!r} is not an http(s) URL"
    resp = http_get(url)
    evidence = f"GET {url} -> {resp.status} {resp.content_type or '(no content type)'}"
    is_page = "html" in resp.content_type.lower() or resp.body.lstrip().startswith(b"<")
    return 200 <= resp.status < 300 and bool(resp.body) and not is_page, evidence


def slug_pattern(slug: str) -> re.Pattern:
    """Matches the slug as a whole token of a URL or identifier ("bus" not in "bus-lines")."""
    return re.compile(r"(?<![\w-])" + re.escape(slug) + r"(?![\w-])")


# --------------------------------------------------------------------------
# a–c: ckanapi
# --------------------------------------------------------------------------


class Ckanapi:
    def __init__(self, executable: Path, base: str) -> None:
        self.executable = executable
        self.base = base
        # `ckanapi dump` starts its worker processes as plain "ckanapi" from PATH,
        # so the directory of the executable under test must come first there.
        self.env = dict(os.environ)
        self.env["PATH"] = str(executable.parent) + os.pathsep + self.env.get("PATH", "")

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return run_tool([str(self.executable), *args, "-r", self.base], env=self.env)

    def action(self, name: str, *params: str):
        proc = self.run("action", name, *params)
        if proc.returncode != 0:
            raise CheckError(tool_failed(proc))
        try:
            return json.loads(proc.stdout)
        except ValueError as err:
            raise CheckError(f"ckanapi action {name}: output is not JSON ({err}): {clip(proc.stdout)}")


def check_package_search(report: Report, ckan: Ckanapi, args) -> None:
    result = ckan.action("package_search", f"q={args.query}")
    if not (isinstance(result, dict) and isinstance(result.get("results"), list)):
        raise CheckError(f"package_search result has no results list: {clip(json.dumps(result))}")
    results = result["results"]
    names = [r.get("name") for r in results if isinstance(r, dict)]
    where = f"package_search q={args.query!r} returned {names}"

    report.expect(args.open in names, f"package_search q={args.query!r} finds the open dataset {args.open!r}", where)
    if args.query_given:
        report.expect(
            args.conditional in names,
            f"package_search q={args.query!r} finds the conditional dataset {args.conditional!r}",
            where,
        )
    leaked = [slug for slug in (args.closed, args.draft) if slug in names]
    report.expect(not leaked, "package_search never returns the closed or draft dataset", f"{where}, leaked {leaked}")

    count = result.get("count")
    report.expect(
        isinstance(count, int) and count >= len(results),
        f"package_search count ({count!r}) >= number of results ({len(results)})",
    )
    missing = [
        f"result {i}: missing {[k for k in ('id', 'name', 'title', 'resources') if k not in r]}"
        for i, r in enumerate(results)
        if not isinstance(r, dict) or not all(k in r for k in ("id", "name", "title", "resources"))
    ]
    report.problems("package_search results carry id, name, title and resources", missing)


def check_harvester_actions(report: Report, ckan: Ckanapi, args) -> None:
    """What ckanext-harvest and catalogue front-ends call besides package_search."""
    # A metadata_modified range, as ckanext-harvest sends it.
    ranged = ckan.action(
        "package_search", "fq=metadata_modified:[2000-01-01T00:00:00Z TO NOW]", "rows=1000"
    )
    names = [r.get("name") for r in ranged.get("results", []) if isinstance(r, dict)]
    report.expect(
        args.open in names and args.closed not in names and args.draft not in names,
        "package_search fq=metadata_modified:[… TO NOW] finds the open dataset, never the closed or draft one",
        f"returned {names}",
    )
    future = ckan.action("package_search", "fq=metadata_modified:[2999-01-01T00:00:00Z TO *]")
    report.expect(future.get("count") == 0, "a metadata_modified range in the future finds nothing", clip(json.dumps(future)))

    recent = ckan.action("current_package_list_with_resources", "limit=1000")
    names = [r.get("name") for r in recent if isinstance(r, dict)]
    report.expect(
        args.open in names and args.closed not in names and args.draft not in names,
        "current_package_list_with_resources lists the open dataset with its resources, never the closed or draft one",
        f"returned {names}",
    )
    stamps = [r.get("metadata_modified") for r in recent if isinstance(r, dict)]
    report.expect(stamps == sorted(stamps, reverse=True), "current_package_list_with_resources is newest first", str(stamps))
    report.expect(
        all(isinstance(r.get("resources"), list) for r in recent if isinstance(r, dict)),
        "every package of current_package_list_with_resources carries its resources",
    )
    first = ckan.action("current_package_list_with_resources", "limit=1", "page=2")
    report.expect(
        len(first) == 1 and len(names) > 1 and first[0].get("name") == names[1],
        "current_package_list_with_resources pages with limit and page",
        clip(json.dumps(first)),
    )

    fragment = args.open[: max(3, len(args.open) // 2)]
    matches = ckan.action("package_autocomplete", f"q={fragment}")
    found = [m.get("name") for m in matches if isinstance(m, dict)]
    report.expect(
        args.open in found and all({"name", "title", "match_field", "match_displayed"} <= set(m) for m in matches),
        f"package_autocomplete q={fragment!r} offers the open dataset with CKAN's fields",
        clip(json.dumps(matches)),
    )
    report.expect(
        args.closed not in found and args.draft not in found,
        "package_autocomplete never offers the closed or draft dataset",
        clip(json.dumps(matches)),
    )
    formats = ckan.action("format_autocomplete", "q=cs")
    report.expect(formats == ["csv"] or "csv" in formats, "format_autocomplete q=cs offers csv", clip(json.dumps(formats)))


def check_dump_all(report: Report, ckan: Ckanapi, args) -> None:
    listed = ckan.action("package_list")
    if not (isinstance(listed, list) and all(isinstance(n, str) for n in listed)):
        raise CheckError(f"package_list did not return a list of names: {clip(json.dumps(listed))}")

    out = args.workdir / "all.jsonl"
    if out.exists():
        out.unlink()
    proc = ckan.run("dump", "datasets", "--all", "-O", str(out))
    if proc.returncode != 0 or not out.exists():
        raise CheckError(tool_failed(proc))

    records, bad_lines = [], []
    for number, line in enumerate(out.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            record = json.loads(line)
        except ValueError as err:
            bad_lines.append(f"line {number}: {err}")
            continue
        if isinstance(record, dict):
            records.append(record)
        else:
            bad_lines.append(f"line {number}: not a JSON object")
    report.problems(f"dump --all wrote {len(records)} JSON line(s) to {out.name}", bad_lines)

    dumped = {r.get("name") for r in records}
    report.expect(
        {args.open, args.conditional} <= dumped,
        "dump --all includes the open and the conditional dataset",
        f"dumped {sorted(map(str, dumped))}",
    )
    leaked = [s for s in (args.closed, args.draft) if s in dumped or s in listed]
    report.expect(not leaked, "package_list / dump --all exclude the closed and draft dataset", f"leaked {leaked}")
    report.expect(
        set(listed) == dumped,
        f"every name from package_list ({len(listed)}) dumps through package_show",
        f"not dumped: {sorted(set(listed) - dumped)}; not listed: {sorted(map(str, dumped - set(listed)))}",
    )

    conditional = next((r for r in records if r.get("name") == args.conditional), None)
    if conditional is not None:
        report.problems(
            "the conditional dataset's dump record carries no data an anonymous client can fetch",
            conditional_data_problems(conditional),
        )


def conditional_data_problems(record: dict) -> list[str]:
    problems = [f"dataset has inline {key!r}" for key in INLINE_DATA_KEYS & record.keys()]
    for resource in record.get("resources") or []:
        label = f"resource {resource.get('id') or resource.get('name')!r}"
        problems += [f"{label} has inline {key!r}" for key in INLINE_DATA_KEYS & resource.keys()]
        url = resource.get("url")
        if is_http_url(url):
            served, evidence = serves_data_anonymously(url)
            if served:
                problems.append(f"{label} url serves data: {evidence}")
    return problems


def check_dump_download(report: Report, ckan: Ckanapi, args) -> None:
    dl_dir = args.workdir / "dl"
    package_dir = dl_dir / args.open
    if package_dir.exists():  # ckanapi refuses to write into an existing package directory
        shutil.rmtree(package_dir)
    # -D (--datapackages DIR) downloads every resource's `url`; -d would only mean
    # --datastore-fields, and DIR would be taken for a second dataset name.
    proc = ckan.run("dump", "datasets", args.open, "-D", str(dl_dir))
    if proc.returncode != 0:
        raise CheckError(tool_failed(proc))
    descriptor_path = package_dir / "datapackage.json"
    if not descriptor_path.exists():
        raise CheckError(f"ckanapi wrote no {descriptor_path}; stderr: {tail(proc.stderr)}")

    resources = json.loads(descriptor_path.read_text(encoding="utf-8")).get("resources") or []
    problems = []
    for resource in resources:
        path = package_dir / resource.get("path", "")
        if not path.is_file():
            problems.append(f"{resource.get('path')!r} was not downloaded")
        elif path.stat().st_size == 0:
            problems.append(f"{resource.get('path')!r} is empty")
        elif not looks_like_csv(path.read_bytes()[:4096]):
            problems.append(f"{resource.get('path')!r} does not look like CSV: {clip(path.read_bytes()[:120])}")
    if not resources:
        problems.append("the dumped datapackage.json lists no resources")
    if problems and proc.stderr.strip():
        problems.append(f"ckanapi stderr: {tail(proc.stderr)}")
    files = ", ".join(str(r.get("path")) for r in resources)
    report.problems(f"dump {args.open} -D downloaded non-empty CSV resource file(s) [{files}]", problems)


# --------------------------------------------------------------------------
# d: Frictionless Data Package v2
# --------------------------------------------------------------------------


def check_datapackage(report: Report, args) -> None:
    url = f"{args.base}/datasets/{args.open}/datapackage.json"
    resp = http_get(url, accept="application/json")
    if resp.status != 200:
        raise CheckError(f"GET {url} -> HTTP {resp.status}: {clip(resp.text(), 200)}")
    descriptor = resp.json()
    if not isinstance(descriptor, dict):
        raise CheckError(f"GET {url}: not a JSON object")
    saved = args.workdir / f"{args.open}.datapackage.json"
    saved.write_bytes(resp.body)

    profile = descriptor.get("$schema", descriptor.get("profile"))
    report.expect(
        isinstance(profile, str) and bool(DATAPACKAGE_V2.match(profile)),
        "datapackage.json declares the Data Package v2 profile in $schema",
        f"$schema/profile is {profile!r}",
    )

    problems = []
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        problems.append("no resources")
        resources = []
    for index, resource in enumerate(resources):
        if not isinstance(resource, dict):
            problems.append(f"resource {index} is not an object")
            continue
        label = f"resource {resource.get('name', index)!r}"
        paths = resource.get("path")
        paths = paths if isinstance(paths, list) else [paths]
        if not all(is_http_url(p) for p in paths):
            problems.append(f"{label} path is not an absolute http(s) URL: {resource.get('path')!r}")
        fields = table_schema_fields(resource.get("schema"), url)
        if not fields:
            problems.append(f"{label} has no Table Schema with fields: {clip(json.dumps(resource.get('schema')), 150)}")
    report.problems(
        f"every resource of {args.open}'s package has an absolute URL path and a schema with fields", problems
    )

    proc = run_tool([str(args.frictionless), "validate", "--type", "package", "--json", str(saved)])
    try:
        validation = json.loads(proc.stdout)
    except ValueError:
        raise CheckError(f"frictionless printed no JSON report; {tool_failed(proc)}")
    errors = [f"{e.get('type')}: {e.get('message')}" for e in validation.get("errors", [])]
    for task in validation.get("tasks", []):
        errors += [f"{task.get('name')}: {e.get('type')}: {e.get('message')}" for e in task.get("errors", [])]
    rows = sum((t.get("stats") or {}).get("rows") or 0 for t in validation.get("tasks", []))
    report.problems(
        f"frictionless validate accepts {saved.name} ({len(validation.get('tasks', []))} resource(s), {rows} row(s))",
        errors or ([] if proc.returncode == 0 and validation.get("valid") else [tool_failed(proc)]),
    )


def table_schema_fields(schema, base_url: str) -> list:
    """The fields of an inline Table Schema, or of one referenced by URL."""
    if isinstance(schema, str):
        resp = http_get(urllib.parse.urljoin(base_url, schema), accept="application/json")
        schema = resp.json() if resp.status == 200 else None
    fields = schema.get("fields") if isinstance(schema, dict) else None
    return fields if isinstance(fields, list) and all(isinstance(f, dict) and f.get("name") for f in fields) else []


def check_conditional_datapackage(report: Report, args) -> None:
    url = f"{args.base}/datasets/{args.conditional}/datapackage.json"
    resp = http_get(url, accept="application/json")
    message = "the conditional dataset's datapackage.json exposes no data"
    if resp.status in (401, 403, 404):
        report.ok(f"{message} (refused: HTTP {resp.status})")
        return
    if resp.status != 200:
        report.fail(f"{message}: GET {url} -> unexpected HTTP {resp.status}")
        return
    descriptor = resp.json()
    resources = (descriptor.get("resources") if isinstance(descriptor, dict) else None) or []
    with_data = [r.get("name") for r in resources if not isinstance(r, dict) or r.get("path") or r.get("data")]
    if not resources:
        report.ok(f"{message} (HTTP 200, package without resources)")
    else:
        report.expect(
            not with_data,
            f"{message} (HTTP 200, resources without path or data)",
            f"resources with data: {with_data}",
        )


# --------------------------------------------------------------------------
# e: DCAT-AP 3 catalogue (rdflib)
# --------------------------------------------------------------------------

TEMPORAL = frozenset({XSD.date, XSD.dateTime, XSD.gYear, XSD.gYearMonth})

_PREFIXES = rdflib.Graph(bind_namespaces="none").namespace_manager
for _prefix, _namespace in {"dcat": DCAT, "dct": DCT, "foaf": FOAF, "skos": SKOS, "xsd": XSD, "hydra": HYDRA}.items():
    _PREFIXES.bind(_prefix, _namespace)


def short(iri: URIRef) -> str:
    """dct:title rather than <http://purl.org/dc/terms/title>, whatever the document's prefixes."""
    return _PREFIXES.normalizeUri(iri)


@dataclass(frozen=True)
class Rule:
    """One property constraint of the DCAT-AP 3.0.0 SHACL shapes."""

    path: URIRef
    min: int = 0
    max: Optional[int] = None
    kind: Optional[str] = None  # "literal" or "iri"
    cls: Optional[URIRef] = None  # the value must be typed with this class
    datatypes: Optional[frozenset] = None


# Mandatory properties (sh:minCount 1), the cardinalities and value classes of the
# properties a portal is likely to emit, from DCAT-AP 3.0.0's dcat-ap-SHACL.ttl.
SHAPES: dict[URIRef, list[Rule]] = {
    DCAT.Catalog: [
        Rule(DCT.title, min=1, kind="literal"),
        Rule(DCT.description, min=1, kind="literal"),
        Rule(DCT.publisher, min=1, max=1, cls=FOAF.Agent),
        Rule(DCAT.dataset, cls=DCAT.Dataset),
        Rule(DCT.license, max=1, cls=DCT.LicenseDocument),
        Rule(DCT.issued, max=1, datatypes=TEMPORAL),
        Rule(DCT.modified, max=1, datatypes=TEMPORAL),
        Rule(FOAF.homepage, max=1),
    ],
    DCAT.Dataset: [
        Rule(DCT.title, min=1, kind="literal"),
        Rule(DCT.description, min=1, kind="literal"),
        Rule(DCT.publisher, max=1, cls=FOAF.Agent),
        Rule(DCT.accessRights, max=1, cls=DCT.RightsStatement),
        Rule(DCAT.distribution, cls=DCAT.Distribution),
        Rule(DCAT.theme, cls=SKOS.Concept),
        Rule(DCAT.keyword, kind="literal"),
        Rule(DCT.issued, max=1, datatypes=TEMPORAL),
        Rule(DCT.modified, max=1, datatypes=TEMPORAL),
    ],
    DCAT.Distribution: [
        Rule(DCAT.accessURL, min=1, kind="iri"),
        Rule(DCAT.downloadURL, kind="iri"),
        Rule(DCT.format, max=1, cls=DCT.MediaTypeOrExtent),
        Rule(DCAT.mediaType, max=1, cls=DCT.MediaType),
        Rule(DCT.license, max=1, cls=DCT.LicenseDocument),
        Rule(DCAT.byteSize, max=1, datatypes=frozenset({XSD.nonNegativeInteger})),
        Rule(DCT.issued, max=1, datatypes=TEMPORAL),
        Rule(DCT.modified, max=1, datatypes=TEMPORAL),
    ],
    FOAF.Agent: [Rule(FOAF.name, min=1, kind="literal")],
    DCAT.DataService: [Rule(DCT.title, min=1, kind="literal"), Rule(DCAT.endpointURL, min=1, kind="iri")],
    DCAT.CatalogRecord: [
        Rule(DCT.modified, min=1, max=1, datatypes=TEMPORAL),
        Rule(FOAF.primaryTopic, min=1, max=1),
    ],
    SKOS.ConceptScheme: [Rule(DCT.title, min=1, kind="literal")],
    SKOS.Concept: [Rule(SKOS.prefLabel, min=1, kind="literal")],
}


def shape_violations(graph: rdflib.Graph) -> list[str]:
    found = []
    for cls, rules in SHAPES.items():
        for node in set(graph.subjects(RDF.type, cls)):
            name = f"{short(cls)} {node.n3() if isinstance(node, URIRef) else '[]'}"
            for rule in rules:
                values = list(graph.objects(node, rule.path))
                prop = short(rule.path)
                if len(values) < rule.min:
                    found.append(f"{name} lacks mandatory {prop}")
                if rule.max is not None and len(values) > rule.max:
                    found.append(f"{name} has {len(values)} {prop} (at most {rule.max})")
                for value in values:
                    found += value_violations(graph, name, prop, rule, value)
    return found


def value_violations(graph: rdflib.Graph, name: str, prop: str, rule: Rule, value) -> list[str]:
    shown = clip(value.n3(), 80)
    if rule.kind == "literal" and not (isinstance(value, Literal) and str(value).strip()):
        return [f"{name} {prop} {shown} is not a non-empty literal"]
    if rule.kind == "iri" and not isinstance(value, URIRef):
        return [f"{name} {prop} {shown} is not an IRI"]
    if rule.cls is not None and (value, RDF.type, rule.cls) not in graph:
        return [f"{name} {prop} {shown} is not typed {short(rule.cls)}"]
    if rule.datatypes is not None and not (isinstance(value, Literal) and value.datatype in rule.datatypes):
        allowed = ", ".join(sorted(short(d) for d in rule.datatypes))
        return [f"{name} {prop} {shown} is not typed {allowed}"]
    return []


_SHAPES: Optional[rdflib.Graph] = None


def dcat_ap_shapes() -> rdflib.Graph:
    """The official DCAT-AP 3.0.1 shapes, as pySHACL can load them.

    The released dcat-ap-SHACL.ttl names two property shapes of dcat:DataServiceShape
    (dc08f4dc…, eb3ac4e4…) that it never defines (SEMICeu/DCAT-AP issue 448, "Missing
    propertyShape"); pySHACL refuses any dcat:DataService against them ("not a well-formed
    SHACL PropertyShape"). Undefined, they constrain nothing, so only those dangling
    sh:property links are dropped here; the file itself stays as published.
    """
    global _SHAPES
    if _SHAPES is None:
        shapes = rdflib.Graph()
        shapes.parse(DCAT_AP_SHAPES, format="turtle")
        dangling = [(s, o) for s, o in shapes.subject_objects(SH.property) if (o, SH.path, None) not in shapes]
        for s, o in dangling:
            shapes.remove((s, SH.property, o))
        _SHAPES = shapes
    return _SHAPES


def violation_summary(data: rdflib.Graph, results: rdflib.Graph) -> list[str]:
    """"N x path constraint (sh:class C) on focus type" for each kind of violation found."""
    shapes = dcat_ap_shapes()
    counts: dict[str, int] = {}
    for result in set(results.subjects(RDF.type, SH.ValidationResult)):
        path = results.value(result, SH.resultPath)
        component = results.value(result, SH.sourceConstraintComponent)
        shape = results.value(result, SH.sourceShape)
        expected = shapes.value(shape, SH["class"]) if shape is not None else None
        focus_types = sorted(short(t) for t in data.objects(results.value(result, SH.focusNode), RDF.type))
        key = " ".join(
            part
            for part in (
                short(path) if isinstance(path, URIRef) else str(path),
                str(component).rsplit("#", 1)[-1] if component is not None else "?",
                f"(sh:class {short(expected)})" if expected is not None else "",
                f"on {'/'.join(focus_types)}" if focus_types else "",
            )
            if part
        )
        counts[key] = counts.get(key, 0) + 1
    return [f"{n} x {key}" for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def check_shacl(report: Report, label: str, graph: rdflib.Graph) -> bool:
    """One check line: pySHACL with the official shapes, no inference; the report on failure."""
    conforms, results, text = pyshacl.validate(
        graph,
        shacl_graph=dcat_ap_shapes(),
        ont_graph=None,
        inference="none",
        abort_on_first=False,
        allow_warnings=False,
        meta_shacl=False,
        advanced=False,
    )
    if conforms:
        report.ok(f"pySHACL {pyshacl.__version__} with the DCAT-AP 3.0.1 shapes: {label}: Conforms: True")
        return True
    count = len(set(results.subjects(RDF.type, SH.ValidationResult)))
    summary = "; ".join(violation_summary(graph, results))
    report.fail(
        f"pySHACL {pyshacl.__version__} with the DCAT-AP 3.0.1 shapes: {label}: Conforms: False, "
        f"{count} violation(s): {summary}"
    )
    report.detail(text)
    return False


@dataclass
class CatalogPage:
    url: str
    graph: rdflib.Graph


def remote_contexts(document) -> list[str]:
    """JSON-LD @context references that rdflib would have to fetch over the network."""
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "@context":
                items = value if isinstance(value, list) else [value]
                found += [item for item in items if isinstance(item, str)]
            else:
                found += remote_contexts(value)
    elif isinstance(document, list):
        for item in document:
            found += remote_contexts(item)
    return found


def parse_rdf(resp: HttpResponse, rdf_format: str) -> rdflib.Graph:
    """The document as a graph, without network access (a JSON-LD @context must be inline)."""
    if rdf_format == "json-ld":
        remote = remote_contexts(resp.json())
        if remote:
            raise CheckError(f"{resp.url} uses remote JSON-LD @context {remote}; clients need it inline")
    graph = rdflib.Graph()
    try:
        graph.parse(data=resp.body, format=rdf_format, publicID=resp.url)
    except Exception as err:  # noqa: BLE001 - rdflib raises parser-specific errors
        raise CheckError(f"rdflib cannot parse {resp.url} as {rdf_format}: {clip(err, 300)}")
    return graph


def fetch_catalog(start_url: str, rdf_format: str, accept: str) -> list[CatalogPage]:
    """Parse every page of the catalogue, following hydra:next."""
    pages: list[CatalogPage] = []
    url: Optional[str] = start_url
    while url is not None:
        if len(pages) == MAX_CATALOG_PAGES:
            raise CheckError(f"{start_url}: still a hydra:next after {MAX_CATALOG_PAGES} pages")
        if any(page.url == url for page in pages):
            raise CheckError(f"{start_url}: hydra:next loops back to {url}")
        resp = http_get(url, accept=accept)
        if resp.status != 200:
            raise CheckError(f"GET {url} -> HTTP {resp.status}: {clip(resp.text(), 200)}")
        graph = parse_rdf(resp, rdf_format)
        pages.append(CatalogPage(url, graph))

        next_links = set(graph.objects(None, HYDRA.next))
        if len(next_links) > 1:
            raise CheckError(f"{url} has several hydra:next: {sorted(map(str, next_links))}")
        url = urllib.parse.urljoin(url, str(next_links.pop())) if next_links else None
        if url is not None and urllib.parse.urlsplit(url).path != urllib.parse.urlsplit(start_url).path:
            raise CheckError(f"hydra:next of {pages[-1].url} leaves the {rdf_format} catalogue: {url}")
    return pages


@dataclass
class DatasetEntry:
    key: str
    page: str
    tokens: list[str]  # IRI, dct:identifier and dcat:landingPage values
    access_rights: list
    distributions: list
    download_urls: list


def dataset_entries(page: CatalogPage) -> list[DatasetEntry]:
    graph = page.graph
    entries = []
    for node in set(graph.subjects(RDF.type, DCAT.Dataset)):
        identifiers = [str(v) for v in graph.objects(node, DCT.identifier)]
        landing = [str(v) for v in graph.objects(node, DCAT.landingPage)]
        key = str(node) if isinstance(node, URIRef) else (identifiers + landing + ["(blank node)"])[0]
        distributions = list(graph.objects(node, DCAT.distribution))
        entries.append(
            DatasetEntry(
                key=key,
                page=page.url,
                tokens=([str(node)] if isinstance(node, URIRef) else []) + identifiers + landing,
                access_rights=list(graph.objects(node, DCT.accessRights)),
                distributions=distributions,
                download_urls=[str(u) for d in distributions for u in graph.objects(d, DCAT.downloadURL)],
            )
        )
    return entries


def check_catalog_serialisation(report: Report, args, path: str, rdf_format: str, accept: str) -> set[str]:
    pages = fetch_catalog(f"{args.base}{path}", rdf_format, accept)
    label = f"{path} ({len(pages)} page(s))"

    problems = []
    for page in pages:
        graph = page.graph
        catalogs = set(graph.subjects(RDF.type, DCAT.Catalog))
        if len(catalogs) != 1:
            problems.append(f"{page.url} has {len(catalogs)} dcat:Catalog")
            continue
        catalog = catalogs.pop()
        unlisted = set(graph.subjects(RDF.type, DCAT.Dataset)) - set(graph.objects(catalog, DCAT.dataset))
        problems += [f"{page.url}: dataset {d.n3()} is not linked by the catalog's dcat:dataset" for d in unlisted]
        if (None, HYDRA.next, None) in graph:
            views = set(graph.subjects(HYDRA.next, None))
            if not all((v, RDF.type, HYDRA.PartialCollectionView) in graph for v in views):
                problems.append(f"{page.url}: the subject of hydra:next is not a hydra:PartialCollectionView")
        problems += [f"{page.url}: {v}" for v in shape_violations(graph)]
    report.problems(f"{label}: catalog, datasets, distributions and agents meet the DCAT-AP 3.0.0 shapes", problems)
    for page in pages:
        check_shacl(report, page.url, page.graph)

    entries = [entry for page in pages for entry in dataset_entries(page)]
    keys = [e.key for e in entries]
    repeated = [f"{k} on {[e.page for e in entries if e.key == k]}" for k in sorted(set(keys)) if keys.count(k) > 1]
    report.problems(f"{label}: each dataset appears on exactly one page", repeated)

    def find(slug: str) -> list[DatasetEntry]:
        pattern = slug_pattern(slug)
        return [e for e in entries if any(pattern.search(t) for t in e.tokens)]

    leaked = [f"{slug}: {e.key}" for slug in (args.closed, args.draft) for e in find(slug)]
    leaked += [f"{e.key} has NON_PUBLIC access rights" for e in entries if NON_PUBLIC in e.access_rights]
    report.expect(not leaked, f"{label}: no closed or draft dataset", f"found {leaked}")

    for slug, expected, name in ((args.open, PUBLIC, "open"), (args.conditional, RESTRICTED, "conditional")):
        matches = find(slug)
        if len(matches) != 1:
            report.fail(f"{label}: expected one dataset for the {name} slug {slug!r}, found {[e.key for e in matches]}")
            continue
        rights = matches[0].access_rights
        report.expect(
            rights == [expected],
            f"{label}: the {name} dataset has dct:accessRights {expected}",
            f"has {[str(r) for r in rights]}",
        )

    unlabelled = [e.key for e in entries if len(e.access_rights) != 1 or e.access_rights[0] not in (PUBLIC, RESTRICTED)]
    report.expect(
        not unlabelled, f"{label}: every dataset has dct:accessRights PUBLIC or RESTRICTED", f"not so: {unlabelled}"
    )

    for entry in find(args.open)[:1]:
        report.expect(bool(entry.distributions), f"{label}: the open dataset has a dcat:distribution")
        served = [serves_data_anonymously(u) for u in entry.download_urls]
        report.problems(
            f"{label}: the open dataset's dcat:downloadURL(s) serve data ({len(served)})",
            [evidence for ok, evidence in served if not ok],
        )
    for entry in find(args.conditional)[:1]:
        report.expect(
            bool(entry.distributions) and not entry.download_urls,
            f"{label}: the conditional dataset's distributions have an accessURL and no dcat:downloadURL",
            f"{len(entry.distributions)} distribution(s), downloadURL(s) {entry.download_urls}",
        )
        served = [serves_data_anonymously(u) for u in entry.download_urls]
        report.problems(
            f"{label}: the conditional dataset's dcat:downloadURL(s), if any, serve no data anonymously",
            [evidence for ok, evidence in served if ok],
        )
    return set(keys)


def check_catalog(report: Report, args) -> None:
    results: dict[str, set[str]] = {}
    for path, rdf_format, accept in (
        ("/catalog.ttl", "turtle", "text/turtle"),
        ("/catalog.jsonld", "json-ld", "application/ld+json"),
    ):
        try:
            results[path] = check_catalog_serialisation(report, args, path, rdf_format, accept)
        except CheckError as err:
            report.fail(f"{path}: {err}")
    if len(results) == 2:
        turtle, jsonld = results["/catalog.ttl"], results["/catalog.jsonld"]
        report.expect(
            turtle == jsonld,
            f"catalog.ttl and catalog.jsonld describe the same {len(turtle)} dataset(s)",
            f"only in turtle: {sorted(turtle - jsonld)}; only in JSON-LD: {sorted(jsonld - turtle)}",
        )


RDF_DOCUMENTS = (("ttl", "turtle", "text/turtle"), ("jsonld", "json-ld", "application/ld+json"))


def checksum_problems(graph: rdflib.Graph) -> list[str]:
    """Each dcat:downloadURL serves the bytes its spdx:checksum (SHA-256) and dcat:byteSize describe."""
    problems, checked = [], 0
    for dist in sorted(set(graph.subjects(RDF.type, DCAT.Distribution))):
        for url in graph.objects(dist, DCAT.downloadURL):
            resp = http_get(str(url))
            if resp.status != 200:
                problems.append(f"GET {url} -> HTTP {resp.status}")
                continue
            checked += 1
            digest = hashlib.sha256(resp.body).hexdigest()
            sums = [
                str(graph.value(c, SPDX.checksumValue))
                for c in graph.objects(dist, SPDX.checksum)
                if graph.value(c, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
            ]
            if sums != [digest]:
                problems.append(f"{url}: SHA-256 is {digest}, spdx:checksum says {sums}")
            sizes = [str(v) for v in graph.objects(dist, DCAT.byteSize)]
            if sizes != [str(len(resp.body))]:
                problems.append(f"{url}: {len(resp.body)} bytes, dcat:byteSize says {sizes}")
    if not checked:
        problems.append("no distribution has a dcat:downloadURL")
    return problems


def triples_text(triples) -> str:
    return clip("; ".join(sorted(" ".join(term.n3() for term in triple) for triple in triples)), 300)


def check_dataset_documents(report: Report, args) -> None:
    """/datasets/SLUG/dcat.ttl|.jsonld: valid DCAT-AP, the same graph twice, honest about access."""
    for slug, name in ((args.open, "open"), (args.conditional, "conditional")):
        graphs: dict[str, rdflib.Graph] = {}
        for ext, rdf_format, accept in RDF_DOCUMENTS:
            url = f"{args.base}/datasets/{slug}/dcat.{ext}"
            resp = http_get(url, accept=accept)
            if resp.status != 200:
                report.fail(f"the {name} dataset's dcat.{ext}: GET {url} -> HTTP {resp.status}")
                continue
            graphs[ext] = parse_rdf(resp, rdf_format)
            check_shacl(report, url, graphs[ext])
        if len(graphs) == 2:
            ttl, jsonld = graphs["ttl"], graphs["jsonld"]
            report.expect(
                isomorphic(ttl, jsonld),
                f"/datasets/{slug}/dcat.ttl and dcat.jsonld are the same graph ({len(ttl)} triples)",
                f"{len(ttl)} and {len(jsonld)} triples; only in Turtle: {triples_text(set(ttl) - set(jsonld))}; "
                f"only in JSON-LD: {triples_text(set(jsonld) - set(ttl))}",
            )
        graph = graphs.get("ttl") or graphs.get("jsonld")
        if graph is None:
            continue
        if name == "open":
            report.problems(
                f"/datasets/{slug}/dcat: each dcat:downloadURL serves the bytes its spdx:checksum and dcat:byteSize describe",
                checksum_problems(graph),
            )
        else:
            distributions = set(graph.subjects(RDF.type, DCAT.Distribution))
            downloads = [str(u) for d in distributions for u in graph.objects(d, DCAT.downloadURL)]
            report.expect(
                bool(distributions) and not downloads,
                f"/datasets/{slug}/dcat: the conditional dataset's distributions have no dcat:downloadURL",
                f"{len(distributions)} distribution(s), downloadURL(s) {downloads}",
            )
    for slug, name in ((args.closed, "closed"), (args.draft, "draft")):
        for ext, _, accept in RDF_DOCUMENTS:
            resp = http_get(f"{args.base}/datasets/{slug}/dcat.{ext}", accept=accept)
            report.expect(
                resp.status in (401, 403, 404),
                f"the {name} dataset's /datasets/{slug}/dcat.{ext} is refused (HTTP {resp.status})",
            )


# --------------------------------------------------------------------------
# f: OpenAPI 3.1
# --------------------------------------------------------------------------


def check_openapi(report: Report, args) -> None:
    url = f"{args.base}/api/openapi.json"
    resp = http_get(url, accept="application/json")
    if resp.status != 200:
        raise CheckError(f"GET {url} -> HTTP {resp.status}: {clip(resp.text(), 200)}")
    spec = resp.json()
    version = spec.get("openapi") if isinstance(spec, dict) else None
    report.expect(
        isinstance(version, str) and version.startswith("3.1"),
        "openapi.json declares OpenAPI 3.1",
        f"openapi is {version!r}",
    )
    errors = [
        f"{'/'.join(map(str, err.absolute_path)) or '(root)'}: {clip(err.message, 200)}"
        for err in OpenAPIV31SpecValidator(spec, base_uri=url).iter_errors()
    ]
    report.problems("openapi-spec-validator (OpenAPI 3.1) accepts openapi.json", errors)


# --------------------------------------------------------------------------


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    bin_dir = Path(sys.executable).parent  # the venv's bin; deliberately not resolved
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="portal root URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--open", required=True, metavar="SLUG", help="an unconditionally open, published dataset")
    parser.add_argument(
        "--conditional", required=True, metavar="SLUG", help="a published dataset with access conditions"
    )
    parser.add_argument("--closed", required=True, metavar="SLUG", help="a closed dataset (must never appear)")
    parser.add_argument("--draft", required=True, metavar="SLUG", help="a draft dataset (must never appear)")
    parser.add_argument("--workdir", required=True, type=Path, help="directory for downloads and saved documents")
    parser.add_argument("--query", help="word matching the titles of the open and the conditional dataset")
    parser.add_argument("--ckanapi", type=Path, default=bin_dir / "ckanapi", help="ckanapi executable")
    parser.add_argument("--frictionless", type=Path, default=bin_dir / "frictionless", help="frictionless executable")
    args = parser.parse_args(argv)
    args.base = args.base.rstrip("/")
    args.query_given = args.query is not None
    if args.query is None:
        args.query = args.open
    return args


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    report = Report()
    ckan = Ckanapi(args.ckanapi, args.base)

    report.section("ckanapi action package_search", lambda: check_package_search(report, ckan, args))
    report.section("ckanapi harvester actions", lambda: check_harvester_actions(report, ckan, args))
    report.section("ckanapi dump datasets --all", lambda: check_dump_all(report, ckan, args))
    report.section(f"ckanapi dump datasets {args.open} -D", lambda: check_dump_download(report, ckan, args))
    report.section("open datapackage.json", lambda: check_datapackage(report, args))
    report.section("conditional datapackage.json", lambda: check_conditional_datapackage(report, args))
    report.section("DCAT-AP catalogue", lambda: check_catalog(report, args))
    report.section("DCAT-AP per-dataset documents", lambda: check_dataset_documents(report, args))
    report.section("OpenAPI document", lambda: check_openapi(report, args))

    print(f"interop: {report.passes} passed, {report.failures} failed")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
