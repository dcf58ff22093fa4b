"""The command line: build (default), check, serve and import."""
from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import hashlib
import os
import pickle
import resource
import signal
import sys
import time
import zlib
from pathlib import Path

from . import stamp
from .progress import own_lock

# The rest of the generator is imported where it is used, so that a build with nothing to do
# (see ycarchive/stamp.py) starts in a few tens of milliseconds.

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "data" / "yuncheng_counties.geojson"


def _add_content_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", default="content", help="content folder (default: content)")
    parser.add_argument("--drafts", action="store_true", help="include articles marked 'draft: true'")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    _add_content_options(parser)
    parser.add_argument("--out", default="site", help="output folder (default: site)")
    parser.add_argument("--base-url", help="URL the site is published at, e.g. https://example.org/archive/ "
                                           "(default: base_url in content/site.yml)")
    parser.add_argument("--templates", default=str(ROOT / "templates"), help=argparse.SUPPRESS)
    parser.add_argument("--assets", default=str(ROOT / "assets"), help=argparse.SUPPRESS)
    parser.add_argument("--force", action="store_true",
                        help="render every page again, even if no input changed (still writes only changed files)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--timings", action="store_true", help="print the seconds each step took to stderr")


def make_parser(with_importer: bool = False) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the 运城日报 party-building archive.")
    sub = parser.add_subparsers(dest="command")
    _add_build_options(sub.add_parser("build", help="build the site (the default)"))
    _add_content_options(sub.add_parser("check", help="check content without writing anything"))
    serve = sub.add_parser("serve", help="build, then preview the site on localhost and rebuild on change")
    _add_build_options(serve)
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    importer = sub.add_parser("import", help="turn a page's raw text into article files for review")
    if with_importer:  # imported only when used: it loads the gazetteer
        from . import importer as importer_module
        importer_module.add_arguments(importer)
    return parser


def read_library(args, cache: dict | None = None, listing: list | None = None):
    """Load and check content; return (library, problems).

    `cache` holds what an earlier build read and rendered ("docs", "markdown"): files and
    bodies that did not change are not parsed or rendered again. `listing` is the content
    folder's files with their stamps, if the caller has walked it (see load_content).
    """
    from .errors import Problems
    from .library import build_library
    from .load import load_content

    problems = Problems()
    if cache is None:
        cache = {}
    raw = load_content(args.content, problems, cache.setdefault("docs", {}), listing)
    library = build_library(raw, problems, drafts=args.drafts, renderings=cache.get("markdown"))
    return library, problems


CACHE_SHARDS = 64


def cache_dir(out: Path) -> Path:
    """Where a build keeps what it read, beside (not inside) the output folder."""
    return out.parent / f".{out.name}-cache"


def _shard(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) % CACHE_SHARDS


_LONG_STR = 64  # characters: a str this long or longer is written by _Pickler as bytes


class _Pickler(pickle.Pickler):
    """A pickler that writes long non-ASCII strings as their UTF-8 bytes, made apart.

    Pickling a str asks CPython for its UTF-8, which the str then keeps for as long as it
    lives: saving the cache after a full build of 100,000 articles left a second copy of every
    body, its HTML and its text in the process that saved it (about 90 MB at 10,000 articles).
    Encoding them here makes bytes that go when the part is written."""

    def persistent_id(self, obj):
        if type(obj) is str and len(obj) >= _LONG_STR and not obj.isascii():
            return obj.encode("utf-8", "surrogatepass")
        return None


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        return pid.decode("utf-8", "surrogatepass")


class Renderings:
    """Rendered Markdown bodies, (HTML, text) by the body's hash, kept between builds in one
    file per month of articles and read from it only when a body is first shown.

    A build shows few bodies it did not render itself: an added article renders its own page,
    its neighbours' and the feeds of the newest articles, all of recent months. Reading every
    body back had been 0.2 s of each build of 10,000 articles (89 MB of HTML and text).
    `index` is {month: set of the hashes its file holds}, as the last build saved them.
    """

    def __init__(self, folder: Path, index: dict | None = None):
        self.folder = folder
        self.index = index or {}
        self.read: dict = {}   # month -> {hash: rendering}, as read from its file
        self.new: dict = {}    # month -> {hash: rendering}, rendered in this process
        self.used: dict = {}   # month -> set of the hashes of this build's articles

    @staticmethod
    def month(doc) -> str:
        return doc.src_path[:7].replace("/", "-")   # content/YYYY/MM/…: "YYYY-MM"

    def path(self, month: str) -> Path:
        return self.folder / f"markdown.{month}.pickle"

    def add(self, doc, rendering: tuple) -> None:
        month = self.month(doc)
        self.new.setdefault(month, {})[doc.body_digest] = rendering
        self.used.setdefault(month, set()).add(doc.body_digest)

    def reader(self, doc, root: str):
        """A function returning the rendering of the doc's body (see Article.body), or None if
        the last build kept none."""
        month = self.month(doc)
        if doc.body_digest not in self.index.get(month, ()):
            return None
        self.used.setdefault(month, set()).add(doc.body_digest)
        return functools.partial(self.get, month, doc, root)

    def get(self, month: str, doc, root: str) -> tuple:
        rendering = self.new.get(month, {}).get(doc.body_digest) or self._file(month).get(doc.body_digest)
        if rendering is None:   # its file is gone: render the body again
            from .errors import Problems
            from .load import read_body
            from .markup import render_markdown

            problems = Problems()
            body = read_body(root, doc, problems)
            if body is None:
                raise OSError(str(problems.errors[0]))
            rendering = self.new.setdefault(month, {})[doc.body_digest] = render_markdown(body)
        return rendering

    KEEP = 8   # months' files held at once: render workers that go through every month hold a few

    def _file(self, month: str) -> dict:
        if month not in self.read:
            if len(self.read) >= self.KEEP:
                del self.read[next(iter(self.read))]
            part = _load_part(self.path(month))
            self.read[month] = part if isinstance(part, dict) else {}
        return self.read[month]

    def save(self) -> None:
        """Write the months whose bodies changed (or whose file is gone), remove the others'
        files, and write the index."""
        index = {}
        for month, used in self.used.items():
            if used == self.index.get(month) and self.path(month).exists():
                index[month] = used
                continue
            new = self.new.get(month, {})
            bodies = {}
            for key in used:
                rendering = new.get(key) or self._file(month).get(key)
                if rendering is not None:   # else left out, to be rendered again next time
                    bodies[key] = rendering
            _save_part(self.path(month), bodies)
            index[month] = set(bodies)
        for path in self.folder.glob("markdown.*.pickle"):   # months no longer used, older formats
            if path.name[len("markdown."):-len(".pickle")] not in index:
                path.unlink(missing_ok=True)
        if index != self.index:
            _save_part(self.folder / "markdown-index.pickle", index)
            self.index = index


def _load_part(path: Path):
    """One file of the cache, or None if it is missing, unreadable or made by other code."""
    try:
        with open(path, "rb") as handle:
            version, payload = _Unpickler(handle).load()
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None
    return payload if version == code_version() else None


def load_cache(out: Path, with_search: bool = True) -> dict:
    """The previous build's cache, with empty parts for what is missing or cannot be read.

    It is kept in parts, so that a build that changed a few files saves only the parts that
    hold them: parsed files ("docs", by path) in CACHE_SHARDS shards, rendered bodies
    ("markdown", a Renderings, by month, read when needed), compiled and parsed templates, the
    county map's shapes, the related articles' picks (render.related_articles), the keys of the
    groups of pages (render.render_site), and the search
    index's cache with the build's inputs and the search files' digests (left out unless
    `with_search`). "parts" holds each part as loaded, for save_cache to compare with.
    """
    folder = cache_dir(out)
    index = _load_part(folder / "markdown-index.pickle")
    cache: dict = {"docs": {}, "markdown": Renderings(folder, index if isinstance(index, dict) else None),
                   "parts": {}}
    for n in range(CACHE_SHARDS):
        part = _load_part(folder / f"docs.{n:02d}.pickle")
        if isinstance(part, dict):
            cache["parts"]["docs", n] = part
            cache["docs"].update(part)
    shapes = _load_part(folder / "shapes.pickle")
    if isinstance(shapes, tuple):
        cache["shapes"] = cache["parts"]["shapes"] = shapes
    related = _load_part(folder / "related.pickle")
    if isinstance(related, dict):
        cache["related"] = cache["parts"]["related"] = related
    groups = _load_part(folder / "groups.pickle")
    if isinstance(groups, dict):
        cache["groups"] = groups
        cache["parts"]["groups"] = dict(groups)
    templates = _load_part(folder / "templates.pickle")
    if isinstance(templates, dict):
        cache["templates"] = templates
        cache["parts"]["templates"] = {name: dict(part) for name, part in templates.items()}
    if with_search:
        load_search_cache(out, cache)
    return cache


def load_search_cache(out: Path, cache: dict) -> None:
    """Add the search index's part to a cache: its dict, the search files' digests and the
    inputs of the build that saved it."""
    search = _load_part(cache_dir(out) / "search.pickle")
    if isinstance(search, tuple) and len(search) == 3 and isinstance(search[1], dict):
        cache["inputs"], cache["search"], cache["search digests"] = search
        cache["parts"]["search"] = True
        state = cache["search"].get("state")
        if isinstance(state, dict) and "parts token" in state:   # see search.STATE_PARTS
            state["load parts"] = functools.partial(_load_state_parts, cache_dir(out) / STATE_FILE,
                                                    state["parts token"])


# The parts of the search index's state that only a change to an article before the newest
# month needs (search.STATE_PARTS), kept apart from the rest of its cache: a build that adds,
# edits or deletes an article of the newest month neither loads nor saves them. They were 52 of
# the 54 MB of the search cache at 10,000 articles of news text.
STATE_FILE = "search-state.pickle"


def _load_state_parts(path: Path, token: str) -> dict | None:
    """The search state's parts kept apart, or None if the file is missing, unreadable or was
    not saved with the state that has `token` (a build stopped between saving one and the
    other): the index is then made again from the articles."""
    from .search import STATE_PARTS

    saved = _load_part(path)
    if (isinstance(saved, tuple) and len(saved) == 2 and saved[0] == token and isinstance(saved[1], dict)
            and all(part in saved[1] for part in STATE_PARTS)):
        return saved[1]
    return None


def _state_apart(folder: Path, state: dict) -> dict:
    """The search state as search.pickle keeps it, without its STATE_PARTS. If this build
    loaded them (and so may have changed them), they are saved to STATE_FILE first, under a new
    token; if not, the file still holds them."""
    from .search import STATE_PARTS

    if "load parts" in state:
        return {key: value for key, value in state.items() if key != "load parts"}
    token = os.urandom(8).hex()
    # Plain: their strings are posting strings (ASCII) and terms (a Han term is at most four
    # characters), and pickle's own Pickler writes the same bytes without a call for each of
    # them (STATE_PARTS).
    _save_part(folder / STATE_FILE, (token, {part: state[part] for part in STATE_PARTS}), plain=True)
    kept = {key: value for key, value in state.items() if key not in STATE_PARTS}
    kept["parts token"] = token
    return kept


def _same(new: dict, old: dict | None) -> bool:
    """True if a shard holds the same entries as when it was loaded: the same objects, or
    equal stamps beside the same objects (a file not read again keeps its Doc)."""
    if old is None or len(new) != len(old):
        return False
    for key, value in new.items():
        was = old.get(key)
        if value is was:
            continue
        # Tuples compare item by item, each by identity first: as the Doc is, unless re-read.
        if not (type(value) is tuple and type(was) is tuple and value == was):
            return False
    return True


def _save_part(path: Path, payload, plain: bool = False) -> None:
    """Write one file of the cache. `plain`: the payload holds no long non-ASCII strings, so
    pickle's own Pickler writes it, without _Pickler's call for every object: saving the related
    articles' picks of 10,000 articles took 0.025-0.035 s with it and 0.007-0.008 s without
    (bench/micro_timings.py, 2026-12-03)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        pickler = pickle.Pickler if plain else _Pickler
        pickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump((code_version(), payload))
    os.replace(tmp, path)


PARTS = ("docs", "markdown", "shapes", "related", "groups", "templates", "search")


def save_cache(out: Path, cache: dict, content_changed: bool = True, parts: tuple = PARTS) -> None:
    """Write the parts of the cache that changed since load_cache (all of them if it was empty).

    The search index's cache is written when content or inputs changed (`content_changed`):
    it is rebuilt from them, and it is the largest part (4.9 MB at 10,000 synthetic articles,
    54 MB on news text; its chunks are not in it but in the output, see chunks_from_output). The
    parts of its state kept apart (STATE_FILE) are written only when this build loaded them.
    Shards are independent: each entry is checked by its file's stamp or its body's hash
    when read, so a build stopped half-way through saving leaves a usable cache.
    """
    folder = cache_dir(out)
    folder.mkdir(parents=True, exist_ok=True)
    loaded = cache.get("parts", {})
    if "docs" in parts:
        shards: list[dict] = [{} for _ in range(CACHE_SHARDS)]
        for key, value in cache.get("docs", {}).items():
            shards[_shard(key)][key] = value
        for n, shard in enumerate(shards):
            if not _same(shard, loaded.get(("docs", n))):
                _save_part(folder / f"docs.{n:02d}.pickle", shard)
    if "markdown" in parts and isinstance(cache.get("markdown"), Renderings):
        cache["markdown"].save()
    if "shapes" in parts and "shapes" in cache and cache["shapes"] is not loaded.get("shapes"):
        _save_part(folder / "shapes.pickle", cache["shapes"])
    if "related" in parts and "related" in cache and cache["related"] is not loaded.get("related"):
        _save_part(folder / "related.pickle", cache["related"], plain=True)
    if "groups" in parts and "groups" in cache and cache["groups"] != loaded.get("groups"):
        _save_part(folder / "groups.pickle", cache["groups"], plain=True)
    templates = cache.get("templates", {})
    if "templates" in parts and templates != loaded.get("templates"):
        _save_part(folder / "templates.pickle", templates)
    if "search" in parts and (content_changed or "search" not in loaded):
        search = dict(cache.get("search", {}))
        if isinstance(search.get("state"), dict):
            search["state"] = _state_apart(folder, search["state"])
        # One pickle for both, so that the digests' bytes are the search cache's own objects.
        # Plain: keys, paths and article numbers (the long posting strings are in the state's
        # parts kept apart), and the search process saves it after handing its files over,
        # while the main process commits and then waits for it.
        _save_part(folder / "search.pickle", (cache.get("inputs"), search, cache.get("search digests", {})),
                   plain=True)
        try:   # the single-file cache of earlier versions
            (out.parent / f".{out.name}-cache.pickle").unlink()
        except FileNotFoundError:
            pass


# Changed search files larger than this in all are written to the stage by the search process
# rather than sent to the main one: a full build of 100,000 articles makes 2.9 GB of them,
# which the main process had held beside its pages. Smaller sets (an added article changes
# 60-80 MB at 10,000 articles) go through the pipe, which is faster than writing them to the
# stage and reading them back (Stage.hold).
SPILL_BYTES = 256 << 20


def start_search(out: Path, library, cache: dict, manifest, stamps: dict, drafts: bool,
                 fresh: bool = False, stage=None):
    """Build the search index and save the cache in a forked process while the pages are
    planned, keyed and rendered; return a function that waits for the search files.

    That function returns ({dest: digest_bytes} of every search file, {dest: bytes} of those
    whose digest is not their key in the manifest, seconds it took to load and build them), and
    raises OSError if the process failed. Its `finish()` waits for the process to end (raising
    OSError if it failed); `stop()` ends it instead, for a build that failed. `manifest` is a
    function that returns the output's manifest (write.read_manifest), which the process calls;
    if it raises write.OutputError, the process ends at once, saving nothing, and the caller,
    reading the manifest too, reports the error.
    The process loads the search index's part of the cache itself, and saves every part but
    the compiled templates (rendering adds to those), the related articles' picks and the groups'
    keys (made after it is forked) after handing the files over (in a clean build that is not
    forced, all but the search index's part before making them): at 10,000 articles, loading, building and
    saving the search index is 1.1-1.3 s, and planning, keying and rendering the pages
    0.7-0.8 s, which now run side by side on two cores.
    `stamps` are the content files' stamps before this build read them, to tell whether the
    search index's cache must be saved again; `fresh` leaves the search index's cache unread.
    With `stage` (a write.Stage), a forked process puts changed files past SPILL_BYTES there
    itself, and hands over only their keys; so do the search records it makes, and every
    chunk of a full index build.
    """
    def run() -> tuple[tuple, bool]:
        began = time.perf_counter()
        child = os.getpid() != parent
        forked = stage is not None and child   # so files can go to the stage from here
        previous = manifest()
        if first and child:
            save_cache(out, cache, True, first)
        if not fresh:
            load_search_cache(out, cache)
            chunks_from_output(out, cache.get("search", {}), previous)
        # When no content file, registry or option changed, neither did anything derived from them.
        # A file changed just before a build is cached without a stamp (ycarchive/load.py), so
        # two such builds in a row would look alike: one is counted as a change.
        inputs = (library.registry_digest, drafts)
        now = {path: entry[0] for path, entry in cache["docs"].items()}
        same_inputs = cache.get("inputs") == inputs
        changed = stamps != now or None in now.values() or not same_inputs
        if not same_inputs:   # an article's fields may have changed without its fingerprint
            cache.setdefault("search", {}).pop("doc keys", None)
        cache["inputs"] = inputs
        found = search_files(library, cache.setdefault("search", {}), sink if forked else None)
        digests = search_digests(found, cache.get("search digests", {}))
        keys = {dest: key for dest, (_, key) in digests.items()}
        made = {dest: data for dest, data in found.items() if previous.get(dest) != keys[dest]}
        # saved without the chunks' and records' bytes, which the output holds
        state = cache["search"].get("state")
        if state is not None:
            state["chunk keys"], state["chunks"] = keys_of(state["chunks"], keys), None
        if cache["search"].get("record files") is not None:
            cache["search"]["record keys"] = keys_of(cache["search"]["record files"], keys)
            cache["search"]["record files"] = None
        # Chunks and records are read again from the output, as new objects, and the newest month's
        # chunks made again in every build, so their digests are never reused.
        cache["search digests"] = {dest: d for dest, d in digests.items()
                                   if not dest.startswith(("search/t/", "search/r/", "search/d/"))}
        if forked and sum(map(len, made.values())) > SPILL_BYTES:
            for dest, data in made.items():
                stage.put(dest, data)
            made = {}
        return (keys, made, time.perf_counter() - began), changed

    def sink(dest: str, data: bytes) -> str:
        """Where the search index puts each record it makes, and a full index build each chunk,
        in the process that made it: the search process had held them all (2.3 GB of chunks and
        0.5 GB of records at 100,000 articles) before this one wrote them to the stage."""
        from .render import digest_bytes

        stage.put(dest, data)
        return digest_bytes(data)

    from .write import OutputError

    parts = tuple(p for p in PARTS if p not in ("templates", "related", "groups"))
    # In a clean build (nothing was loaded) the build ends by waiting for this process: the
    # parsed files, rendered bodies and county shapes are final once it is forked, so it saves
    # them first, while the pages are being rendered, rather than at its end with one core
    # idle. Only once its manifest() has found the output to be ours: a forced build's does not
    # look (the main process's does), so that one keeps them for its end.
    first = () if fresh or cache.get("parts") else tuple(p for p in parts if p != "search")
    parent = os.getpid()
    if not hasattr(os, "fork"):
        made, changed = run()
        save_cache(out, cache, changed, parts)

        def files() -> tuple[dict, dict]:
            return made
        files.finish = files.stop = lambda: None
        return files
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:   # the child: leave without running the parent's clean-up
        status = 1
        try:
            os.close(read_end)
            own_lock()   # stop() may end this process at any point
            with open(write_end, "wb") as pipe:
                files, changed = run()
                pickle.dump(files, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            save_cache(out, cache, changed, tuple(p for p in parts if p not in first))
            status = 0
        except (BrokenPipeError, FileNotFoundError):   # the parent stopped (a template error), its stage gone
            pass
        except OutputError:   # the parent reports it
            pass
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            os._exit(status)
    os.close(write_end)
    pipe = open(read_end, "rb")
    state: dict = {}

    def files() -> tuple[dict, dict]:
        """The search files (call finish() afterwards, or instead if they are not needed)."""
        try:
            state["files"] = pickle.load(pipe)
        except (EOFError, pickle.UnpicklingError):
            state["files"] = None
        pipe.close()
        if state["files"] is None:
            finish()
        return state["files"]

    def finish() -> None:
        if not pipe.closed:
            pipe.close()
        if "status" not in state:
            state["status"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        if state["status"] != 0:
            raise OSError(f"building the search index or saving the cache in {cache_dir(out)} failed "
                          f"(exit status {state['status']})")

    def stop() -> None:
        """End the process without waiting for it, nor raising if it failed: the build failed."""
        if not pipe.closed:
            pipe.close()
        if "status" not in state:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            state["status"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

    files.finish, files.stop = finish, stop
    return files


def keys_of(files, keys: dict) -> dict:
    """path -> key, from `keys`, of the search files `files`: a dict, or an OutputChunks, whose
    kept() files (the same bytes as in the output) are added to `keys` first."""
    from .search import OutputChunks

    if isinstance(files, OutputChunks):
        keys.update(files.kept())
    return {path: keys[path] for path in files}


def chunks_from_output(out: Path, search_cache: dict, previous: dict) -> None:
    """Point the search index's cache at the chunks and records in the output
    (search.OutputChunks), if the output's manifest (`previous`) has every one of them with the
    key the cache says it was written with; otherwise drop the cache's index state, so that
    everything is indexed again, or its records, so that they are all made again. (A build
    that failed after its search process saved the cache, or a site changed by hand, leaves
    other bytes in the output.)"""
    from .search import OutputChunks

    def vouched(keys) -> OutputChunks | None:
        if isinstance(keys, dict) and all(previous.get(path) == key for path, key in keys.items()):
            return OutputChunks(str(out), keys)
        return None

    records = vouched(search_cache.pop("record keys", None))
    if records is not None:
        search_cache["record files"] = records
    state = search_cache.get("state")
    if state is None or state.get("chunks") is not None:
        return
    state["chunks"] = vouched(state.pop("chunk keys", None))
    if state["chunks"] is None:
        search_cache.pop("state", None)


def county_shapes(cache: dict):
    """The county map's shapes, built again only when the boundaries file changed (building
    them from the GeoJSON takes 0.05 s; the cached shapes load in 0.2 ms)."""
    from .countymap import load_county_shapes

    version = hashlib.blake2b(SHAPES.read_bytes(), digest_size=16).hexdigest()
    kept = cache.get("shapes")
    if kept is None or kept[0] != version:
        kept = cache["shapes"] = (version, load_county_shapes(str(SHAPES)))
    return kept[1]


def report(problems: Problems, strict: bool) -> bool:
    """Print problems to stderr; return True if the build must stop."""
    for problem in problems.warnings + problems.errors:
        print(problem, file=sys.stderr)
    failing = len(problems.errors) + (len(problems.warnings) if strict else 0)
    if failing:
        print(f"{failing} problem(s); nothing was written", file=sys.stderr)
    return failing > 0


def folder_problem(args) -> str | None:
    """What is wrong with the folders a build was given, found before anything is read (a
    missing content folder is reported with the content's problems)."""
    content, out = Path(args.content).resolve(), Path(args.out).resolve()
    if out == content or content in out.parents:
        return (f"--out {args.out} is inside --content {args.content}: the site would be read as content by the "
                f"next build; choose a folder outside it, such as site/")
    for option, folder in (("--templates", args.templates), ("--assets", args.assets)):
        if not Path(folder).is_dir():
            return f"{option} {folder}: no such folder; run from the project folder or pass {option} DIR"
    return None


def build(args) -> int:
    """Build the site; print one summary line."""
    started = time.perf_counter()
    out = Path(args.out)
    problem = folder_problem(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    walked: dict = {}
    state = None if args.force else stamp.last_state(out)
    output = stamp.check_output(out, state)  # beside the walk below
    inputs_now = stamp.input_stamp(
        [args.content, args.templates, args.assets, str(SHAPES)],
        (code_version(), str(out.resolve()), args.base_url, args.drafts, args.strict), walked)
    output_now = output()  # waits for the check
    last = stamp.up_to_date(state, inputs_now, output_now)
    if last is not None:
        for line in last["warnings"]:
            print(line, file=sys.stderr)
        print(f"built {last['articles']} articles: 0 files written, {last['files']} unchanged, 0 removed, "
              f"0 pages rendered (no input changed) in {time.perf_counter() - started:.2f} s")
        return 0
    # The cache and the Library are about two million objects that live until the build ends;
    # the cyclic garbage collector would walk them again and again for nothing (0.3-0.5 s of
    # an incremental build of 10,000 articles, measured with and without it). It is turned
    # back on, with these objects frozen out of its reach, while pages are rendered (run_jobs).
    gc.disable()
    try:
        return _build(args, out, inputs_now, started, walked.get(args.content), stamp.output_intact(state, output_now),
                      output.times)
    finally:
        gc.enable()


def _build(args, out: Path, inputs_now: dict, started: float, listing: list | None = None,
           intact: bool = False, folder_times: tuple | None = None) -> int:
    """Build the site (see build); `intact`: no file of the last build was removed from `out`;
    `folder_times`: the output's folders and their times as the build found them (stamp.check_output)."""
    from .load import load_files
    from .render import Options, related_articles, render_site
    from .write import OutputError, Stage, read_manifest

    lap = Laps(started)
    cache = ({"docs": {}, "markdown": Renderings(cache_dir(out)), "parts": {}} if args.force
             else load_cache(out, with_search=False))
    lap("load cache")
    stamps = {path: entry[0] for path, entry in cache.get("docs", {}).items()}
    library, problems = read_library(args, cache, listing)
    lap("read content")
    if report(problems, args.strict):
        return 1
    base_url = args.base_url or library.site["base_url"]
    shapes = county_shapes(cache)
    # numpy is needed by the search process forked below, and by a first build's related
    # articles: imported here, once, rather than in each process. Imported in the search process
    # instead, the main process of an added article's build then waited 0.10-0.12 s for that one
    # (side by side, docs/performance.md, the section of 2026-12-03 from 20:18 UTC).
    import numpy  # noqa: F401

    def manifest() -> dict:
        return read_manifest(out, check=not intact)

    stage = Stage(out)
    searching = None
    try:
        # The search process is started first and reads the manifest itself: an added article's
        # build waits for that process, and this one reads it meanwhile.
        searching = start_search(out, library, cache, dict if args.force else manifest, stamps, args.drafts,
                                 fresh=args.force, stage=stage)
        previous = manifest()
    except BaseException as exc:
        if searching is not None:
            searching.stop()
        stage.discard()
        if isinstance(exc, OutputError):   # not a folder of ours, or a manifest that cannot be read
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise
    options = Options(base_url, Path(args.templates), Path(args.assets), shapes, code_version(),
                      template_cache=cache.setdefault("templates", {}))
    lap("prepare")

    def extra() -> tuple[dict, dict]:
        """The content files to copy and the changed search files, and every search file's key;
        this process's parts of the cache are saved first, while the search process works. (A
        build that fails after this leaves them usable: the next build checks the groups' keys
        against the output's manifest, the picks against the articles' fingerprints, and the
        compiled templates against their sources.)"""
        save_cache(out, cache, False, ("templates", "related", "groups"))
        lap("save cache")
        known, changed, seconds = searching()
        lap(f"search index (built in {seconds:.2f} s beside the pages; waiting for it)")
        return {**load_files(args.content, library.files), **changed}, known

    try:
        # Picked once the search process runs: on news text an added article's build waits for
        # that process, and picking first had delayed it.
        related, cache["related"] = related_articles(library, None if args.force else cache.get("related"))
        keys, rendered = render_site(library, options, stage.put, extra, {} if args.force else previous,
                                     workers=os.cpu_count() or 1, lap=lap, hold=stage.hold, related=related,
                                     groups=cache.setdefault("groups", {}))
        stamp.forget(out)   # if the commit fails half-way, the next build must not trust the record
        stats = stage.commit(keys, previous)
    except BaseException:
        searching.stop()   # the error on its way up is the one to report (a broken template, say)
        raise
    finally:
        stage.discard()
    searching.finish()
    lap("write")
    stamp.record(out, inputs_now, keys, folder_times, stats.touched, articles=len(library.articles),
                 files=len(keys), warnings=[str(p) for p in problems.warnings])
    lap("record")
    if args.timings:
        print("timings: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds, _ in lap.laps), file=sys.stderr)
        print("peak memory: " + ", ".join(f"{name} {mb:.0f} MB" for name, _, mb in lap.laps), file=sys.stderr)
    seconds = time.perf_counter() - started
    print(f"built {len(library.articles)} articles: {stats.written} files written, {stats.unchanged} unchanged, "
          f"{stats.removed} removed, {rendered} pages rendered in {seconds:.2f} s")
    return leave(0, getattr(args, "program", False))   # here, before this function's objects are freed


class Laps:
    """Seconds between successive calls, by name, and the process's peak memory at each (for
    --timings; forked workers are not counted)."""

    def __init__(self, started: float):
        self.last = started
        self.laps: list[tuple[str, float, float]] = []

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KB on Linux
        self.laps.append((name, now - self.last, peak_mb))
        self.last = now


@functools.lru_cache(maxsize=None)
def code_version() -> str:
    """A hash of the generator's own code: output made by other code is rendered again."""
    sources = sorted((ROOT / "ycarchive").rglob("*.py"))
    return hashlib.blake2b(b"".join(p.read_bytes() for p in sources), digest_size=16).hexdigest()


def search_files(library, cache: dict | None = None, sink=None) -> dict:
    """The search index files (`cache` is kept between builds; `sink`: see build_search_files)."""
    from .search import build_search_files

    return build_search_files(search_docs(library), cache, sink)


def search_docs(library) -> list:
    """A search.SearchDoc for every article, its text read when it is indexed.

    Made for every article in every build, in the search process that an added article's build
    waits for: by position, and people's names as Article.credited gives them without making
    its list, 55.8 ms for 10,000 articles against 68.3 by keyword with `credited`
    (bench/micro_timings.py, 2026-12-04)."""
    from .model import ROLES
    from .search import SearchDoc

    roles, partial = tuple(ROLES), functools.partial
    docs = []
    for a in library.articles:
        page, people = a.page, a.people
        docs.append(SearchDoc(a.id, a.url, a.title, a.kicker, a.subtitle, page.iso_date,
                              tuple([c.name for c in a.counties]), page.section.name,
                              a.column.name if a.column else "",
                              tuple(dict.fromkeys([p.name for role in roles for p in people.get(role, ())])),
                              tuple([t.name for t in a.tags]), partial(getattr, a, "text"), a.fingerprint))
    return docs


def search_digests(files: dict, last: dict) -> dict:
    """{dest: (bytes, digest_bytes)} for the search files, hashing only those that are not the
    very bytes objects `last` holds.

    The search index's cache hands back the same bytes for every file that did not change,
    and this table is saved in the same pickle, so after loading both hold the same objects:
    a file found here by identity has the digest it had (0.15-0.25 s of hashing 240 MB at
    10,000 articles, for the quarter of the files an added article changes).
    """
    from .render import digest_bytes

    digests = {}
    for dest, data in files.items():
        was = last.get(dest)
        digests[dest] = was if was is not None and was[0] is data else (data, digest_bytes(data))
    return digests


def check(args) -> int:
    """Check content; list articles still awaiting review."""
    library, problems = read_library(args)
    failed = report(problems, args.strict)
    waiting = [a for a in library.articles if a.review]
    for article in waiting:
        print(f"{args.content}/{article.src_path}: awaiting review: " + "; ".join(article.review))
    print(f"checked {len(library.articles)} articles: {len(problems.errors)} error(s), "
          f"{len(problems.warnings)} warning(s), {len(waiting)} awaiting review")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Run a command; without `argv` (as build.py does), from the command line, as the program."""
    program = argv is None and sys.argv[1:2] != ["serve"]
    return leave(_main(list(sys.argv[1:] if argv is None else argv), program), program)


def leave(status: int, program: bool) -> int:
    """Return `status`; as the program (`program`), end the process with it at once instead.

    A build holds a few million objects (cache, Library) until it ends; freeing them one by
    one as Python shuts down took 0.25-0.3 s after every rebuild of 10,000 articles. Freed as
    the build's function returned, they still cost about 0.02 s of every added article's
    build: wall time less the build's own figure, medians of 8 adds, 0.08 s before against
    0.06 s after (bench/incremental_side_by_side.py, 2026-12-04). The program is done, so it
    leaves without: output flushed, files closed, no child process left (render workers and
    the search process have been waited for).
    """
    if program:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


def _main(argv: list[str], program: bool = False) -> int:
    """Run a command; `program`: a build ends the process when done (leave)."""
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "build")
    args = make_parser(with_importer=argv[0] == "import").parse_args(argv)
    args.program = program
    try:
        if args.command == "build":
            return build(args)
        if args.command == "check":
            return check(args)
        if args.command == "serve":
            from .serve import serve
            return serve(args, build_reporting)
        if args.command == "import":
            from . import importer
            return importer.run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        return report_failure(exc, args)
    return 2


def report_failure(exc: Exception, args) -> int:
    """Print one line for a failure the user can act on (a missing folder, a full disk, a broken
    template): what went wrong, not where in our code; return 1. Anything else (or with
    --debug) is raised again, with its traceback."""
    import jinja2   # here, not at the top: a build with nothing to do never loads it

    from .render import TEMPLATE_FIX, PageError

    if getattr(args, "debug", False) or not isinstance(exc, (OSError, jinja2.TemplateError, PageError)):
        raise exc
    if isinstance(exc, jinja2.TemplateSyntaxError):   # found before anything is written
        print(f"error: {exc.filename or exc.name}:{exc.lineno}: template: {exc.message}; {TEMPLATE_FIX}",
              file=sys.stderr)
    elif isinstance(exc, PageError):
        print(f"error: {exc}", file=sys.stderr)
    else:
        print(f"error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
    return 1


def build_reporting(args) -> int:
    """build(), a failure the user can act on reported as report_failure does: the preview
    server goes on serving the last good site."""
    try:
        return build(args)
    except Exception as exc:
        return report_failure(exc, args)
