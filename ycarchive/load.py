"""Read content/ from disk: registries, page facts and article files, with line numbers."""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import Problems
from .progress import bar
from .stamp import RACY_SECONDS


@dataclass
class Doc:
    """A YAML mapping read from one file, with the line of each top-level key."""

    display: str                 # path as shown in messages, e.g. content/2025/06/24/03/page.yml
    src_path: str                # path relative to content/, with '/' separators
    data: dict
    lines: dict | str = field(default_factory=dict)   # key -> 1-based line (or as compact_lines keeps them)
    items: list = field(default_factory=list)   # for a top-level list: 1-based line of each item
    body_line: int = 0                          # the Markdown body's first line (the body: RawContent.bodies)
    digest: str = ""                            # hash of the file's text, for incremental builds
    body_digest: str = ""                       # hash of the body, made once with the Doc (cached)
    checked: tuple | None = None                # an article's checked fields (library._article_fields)

    def line(self, key: str | None = None) -> int:
        return self.key_lines().get(key, 1) if key else 1

    def key_lines(self) -> dict:
        """key -> 1-based line, also when compact_lines keeps them as a string (which stays so,
        for the cache)."""
        if type(self.lines) is str:
            return {name: int(n) for name, _, n in (item.partition("\t") for item in self.lines.split("\n") if item)}
        return self.lines

    def compact_lines(self) -> None:
        """Keep the keys' lines as one string, "key\tline" a key, read when a message (or an
        image's checks) needs one: the cache of parsed files of 10,000 articles loaded in 0.033
        s against 0.041 s with a dict for every article (bench/micro_timings.py, 2026-12-04).
        Only for keys without tabs or line ends: an article's known fields, once checked."""
        if type(self.lines) is dict:
            self.lines = "\n".join(f"{key}\t{n}" for key, n in self.lines.items())


@dataclass
class RawContent:
    """Everything in content/, read but not yet checked."""

    root: str
    site: Doc | None
    counties: Doc | None
    people: Doc | None
    sections: Doc | None
    pages: list[Doc]             # page.yml files
    articles: list[Doc]          # article Markdown files
    files: list[str]             # other files under page folders (images), relative to content/
    # Markdown bodies of the articles read now, by src_path (not of those found in the cache):
    # build_library takes each out as it renders it, so that they are not all held at once.
    bodies: dict = field(default_factory=dict)
    # Or, for the articles read by parallel workers (see _parse_files), each body's rendering.
    rendered: dict = field(default_factory=dict)


def _check_text(raw: bytes, display: str, problems: Problems) -> str | None:
    """Decode a file, reporting BOM, CRLF, bad UTF-8 and emptiness."""
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.add(display, 1, "encoding",
                     "file starts with a byte-order mark (BOM); save it as UTF-8 without BOM")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.add(display, line, "encoding", "file is not valid UTF-8; save it as UTF-8")
        return None
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.add(display, line, "encoding",
                     "file has Windows line ends (CRLF); save it with Unix line ends (LF)")
        return None
    if not text.strip():
        problems.add(display, 1, "file", "file is empty")
        return None
    return text


# libyaml's loader is about ten times faster than the pure-Python one; both are safe loaders.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, display: str, problems: Problems, first_line: int = 1, what: str = "yaml"):
    """Parse YAML safely; return (value, key lines, item lines) or None after reporting."""
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        value = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + first_line) if mark else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        detail = f"{context}, {problem}" if context else problem
        problems.add(display, line, what, f"malformed YAML: {detail}")
        return None
    finally:
        loader.dispose()
    lines: dict = {}
    items: list = []
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            lines[str(key.value)] = key.start_mark.line + first_line
    elif isinstance(node, yaml.SequenceNode):
        items = [item.start_mark.line + first_line for item in node.value]
    return value, lines, items


def parse_front_matter(text: str, display: str, problems: Problems):
    """Split '---' front matter from the Markdown body; return (meta, lines, body, body_line)."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        problems.add(display, 1, "front matter",
                     "expected the file to start with '---' and YAML front matter "
                     "(title, kind, …); see docs/content-format.md")
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.add(display, 1, "front matter", "front matter is not closed; add a line '---' after it")
        return None
    parsed = parse_yaml("\n".join(lines[1:end]), display, problems, first_line=2, what="front matter")
    if parsed is None:
        return None
    meta, key_lines, _ = parsed
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.add(display, 2, "front matter", "expected a mapping of fields such as 'title: …'")
        return None
    body = "\n".join(lines[end + 1:])
    return meta, key_lines, body, end + 2


def _read(path: Path, display: str, problems: Problems) -> str | None:
    return _check_text(path.read_bytes(), display, problems)


def digest(text: str) -> str:
    """A short hash of a file's text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def load_registry(root: Path, name: str, problems: Problems, display_root: str) -> Doc | None:
    """Read one registry file (site.yml, counties.yml, …)."""
    path = root / name
    display = f"{display_root}/{name}"
    if not path.is_file():
        problems.add(display, 1, "file", f"missing registry file {name}; see docs/content-format.md")
        return None
    text = _read(path, display, problems)
    if text is None:
        return None
    parsed = parse_yaml(text, display, problems)
    if parsed is None:
        return None
    value, lines, items = parsed
    return Doc(display, name, value, lines, items, digest=digest(text))


def load_content(root: str | os.PathLike, problems: Problems, cache: dict | None = None,
                 listing: list | None = None) -> RawContent:
    """Read every file of content/ (nothing is written).

    `cache`, if given, maps a file's display path to ((mtime_ns, size), Doc) from an earlier
    run: a file whose stamp is unchanged is not read or parsed again. It is updated in place
    to hold exactly the files read now (files with problems are never cached). A file changed
    less than RACY_SECONDS before this run is cached without a stamp, so it is read again next
    time: a second change within the same clock tick, at the same size, would keep its stamp.
    `listing`, if given, is (time in ns, every file under `root` with its stamp), as
    ycarchive.stamp found them at that time: the folders are not walked again, and a file is
    racy if it changed less than RACY_SECONDS before that time.
    Docs hold no Markdown body: those of the files read now are in RawContent.bodies (or, when
    many files are read, already rendered, in RawContent.rendered: see _parse_files), and
    those of cached files are not read (read_body reads one again). Once rendered, a body is
    kept as HTML and text by its hash (ycarchive/library.py). Without the bodies, the main
    process of a clean build of 100,000 articles peaks about 300 MB lower (docs/performance.md).
    """
    racy_after = (listing[0] if listing is not None else time.time_ns()) - RACY_SECONDS * 1_000_000_000
    root_path = Path(root)
    display_root = str(root).rstrip("/") or "."
    if not root_path.is_dir():
        problems.add(display_root, 1, "content", "no such folder; run from the project folder or pass --content DIR")
        return RawContent(display_root, None, None, None, None, [], [], [])
    registries = {name: load_registry(root_path, f"{name}.yml", problems, display_root)
                  for name in ("site", "counties", "people", "sections")}
    pages: list[Doc] = []
    articles: list[Doc] = []
    files: list[str] = []
    fresh: dict = {}
    bodies: dict = {}
    rendered: dict = {}
    found = []   # (name, display, stamp, cached Doc or None)
    misses = []  # (path, display, src_path) of the files to read
    top = os.path.join(str(root), "")
    for rel_dir, name, full, stamp in _listed(top, listing[1]) if listing is not None else _walked(top):
        src_path = f"{rel_dir}/{name}"
        if name != "page.yml" and not name.endswith(".md"):
            files.append(src_path)
            continue
        display = f"{display_root}/{src_path}"
        if stamp is None:
            stat = os.stat(full)
            stamp = (stat.st_mtime_ns, stat.st_size)
        hit = cache.get(display) if cache is not None else None
        cached = hit[1] if hit and hit[0] == stamp else None
        found.append((name, display, stamp, cached))
        if cached is None:
            misses.append((full, display, src_path))
    read = iter(_parse_files(misses, problems, bodies, rendered))
    for name, display, stamp, doc in found:
        if doc is None:
            doc = next(read)
            if doc is None:
                continue
        fresh[display] = (stamp if stamp[0] < racy_after else None, doc)
        (pages if name == "page.yml" else articles).append(doc)
    if cache is not None:
        cache.clear()
        cache.update(fresh)
    return RawContent(display_root, registries["site"], registries["counties"], registries["people"],
                      registries["sections"], pages, articles, files, bodies, rendered)


# Fewer files than this are read in the build's own process: forking workers costs more.
PARALLEL_FILES = 400
_MISSES: list = []   # what forked _parse_slice workers read


def _parse_files(misses: list, problems: Problems, bodies: dict, rendered: dict) -> list:
    """The Doc (or None, after reporting) of each (path, display, src_path) in `misses`, in order.

    Many files (a first build, a new version of the generator) are read, parsed and their bodies
    rendered by forked workers, one per core: reading and rendering is the same work for every
    file, and it had been 6 s of a first build of 10,000 articles on one core while the other
    waited. Their renderings go to `rendered`; otherwise bodies go to `bodies`, for
    build_library to render."""
    progress = bar("reading content", len(misses))
    try:
        workers = os.cpu_count() or 1
        if len(misses) < PARALLEL_FILES or workers < 2 or not hasattr(os, "fork"):
            docs = []
            for full, display, src_path in misses:
                docs.append(_load_doc(Path(full), display, src_path, problems, bodies))
                progress.update()
            return docs
        import multiprocessing

        from . import markup  # noqa: F401 (imported before forking, not in each worker)
        global _MISSES
        _MISSES = misses
        step = max(50, len(misses) // (workers * 16))
        docs = []
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for part, found in pool.imap(_parse_slice, [(i, min(i + step, len(misses)))
                                                            for i in range(0, len(misses), step)]):
                    problems.items.extend(found)
                    for doc, rendering in part:
                        docs.append(doc)
                        if rendering is not None:
                            rendered[doc.src_path] = rendering
                    progress.update(len(part))
        finally:
            _MISSES = []
        return docs
    finally:
        progress.close()


def _parse_slice(bounds: tuple[int, int]) -> tuple[list, list]:
    """Read, parse and render _MISSES[bounds]: ([(Doc or None, rendering or None)], problems)."""
    from .markup import render_markdown

    problems = Problems()
    part = []
    for full, display, src_path in _MISSES[bounds[0]:bounds[1]]:
        bodies: dict = {}
        doc = _load_doc(Path(full), display, src_path, problems, bodies)
        body = bodies.get(src_path)
        part.append((doc, render_markdown(body) if body is not None else None))
    return part, problems.items


# Paths are joined as strings, not pathlib objects: these run for every file of the archive on
# every build, and Path objects were 0.15 s of it at 10,000 articles.

def _walked(top: str):
    """(folder relative to top, name, path, None) of the files in top's subfolders, in
    os.walk's order (a folder's files, then its subfolders), skipping dot files and folders."""
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = dirpath[len(top):].replace(os.sep, "/")
        if rel_dir:
            for name in sorted(filenames):
                if not name.startswith("."):
                    yield rel_dir, name, os.path.join(dirpath, name), None


def _listed(top: str, listing: list):
    """The same as _walked, with each file's (mtime_ns, size), from a listing made by
    ycarchive.stamp (which skips the same names): 0.1 s less at 10,000 articles."""
    rows = []
    for entry in listing:
        if len(entry) != 3 or not entry[0].startswith(top):
            continue
        path, mtime_ns, size = entry
        *folders, name = path[len(top):].split("/")
        if folders:
            rows.append(((*((1, f) for f in folders), (0, name)), "/".join(folders), name, path, (mtime_ns, size)))
    rows.sort()
    return [row[1:] for row in rows]


def _load_doc(full: Path, display: str, src_path: str, problems: Problems, bodies: dict) -> Doc | None:
    """Read one page.yml or article file (an article's body goes to `bodies`)."""
    text = _read(full, display, problems)
    if text is None:
        return None
    if full.name == "page.yml":
        parsed = parse_yaml(text, display, problems)
        if parsed is None:
            return None
        value, lines, _ = parsed
        if not isinstance(value, dict):
            problems.add(display, 1, "page", "expected a mapping of page facts such as 'section: 党建'")
            return None
        return Doc(display, src_path, value, lines, digest=digest(text))
    parsed = parse_front_matter(text, display, problems)
    if parsed is None:
        return None
    meta, lines, body, body_line = parsed
    bodies[src_path] = body
    return Doc(display, src_path, meta, lines, body_line=body_line, digest=digest(text), body_digest=digest(body))


def read_body(root: str, doc: Doc, problems: Problems) -> str | None:
    """The Markdown body of an article whose Doc came from the cache (see load_content), read
    from its file again; None, after reporting, if the file no longer has the body the Doc was
    made with (it changed during the build)."""
    display = doc.display
    try:
        text = _read(Path(root) / doc.src_path, display, problems)
    except OSError as exc:   # removed or made unreadable since the folder was walked
        problems.add(display, 1, "file", f"cannot read the file again ({exc.strerror}); build again")
        return None
    parsed = parse_front_matter(text, display, problems) if text is not None else None
    if parsed is None or digest(parsed[2]) != doc.body_digest:
        if parsed is not None:
            problems.add(display, doc.body_line, "file", "file changed while it was being built; build again")
        return None
    return parsed[2]


def load_files(root: str | os.PathLike, files: list) -> dict[str, bytes]:
    """Read content files (images) that are copied to the site as they are: {dest_path: bytes}."""
    return {dest: (Path(root) / src).read_bytes() for src, dest in files}
