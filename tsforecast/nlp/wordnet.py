"""WordNet 3.0 as a thesaurus: synsets, synonyms, definitions, hypernyms, path similarity.

The lookups go through NLTK's ``WordNetCorpusReader`` and return NLTK's
``Synset`` objects, so all of NLTK's WordNet methods work on them
(``lemma_names()``, ``definition()``, ``examples()``, ``hypernym_paths()``,
``path_similarity()``, ``wup_similarity()``, ...).

Where the data comes from
-------------------------
Nothing is downloaded at run time. The WordNet 3.0 database files are looked
up in this order:

1. the directory named by the environment variable ``TSFORECAST_WORDNET`` (a
   WordNet 3.0 ``dict`` directory: Princeton's ``WordNet-3.0/dict``, an
   unzipped ``nltk_data/corpora/wordnet`` or a copy of Debian's files);
2. ``/usr/share/wordnet``, where Debian and Ubuntu's ``wordnet-base`` package
   installs them (``sudo apt-get install wordnet-base``; the project's
   ``scripts/install-system-deps.sh`` runs it when it can).

Debian's package lacks two files NLTK's reader opens: ``lexnames`` (the 45
lexicographer file names, fixed by the WordNet 3.0 format and written here
from the table of the ``lexnames(5WN)`` manual page) and ``index.sense`` (the
sense-key index, which is derived from ``data.*``, ``index.*`` and
``cntlist.rev``). At first use they are built from the local files into
``$XDG_CACHE_HOME/tsforecast/wordnet/`` (``~/.cache/...`` by default), once per
data directory; a data directory that has them is used as it is.

Relations (``hypernyms()``, ``hyponyms()``, ...) list their targets in
synset-name order, so that ``hypernym_paths()[0]`` is the same in every run
(NLTK 3.10 alone gives them in an order that changes between processes).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import threading
import warnings
from pathlib import Path

from .text import text_lines

__all__ = [
    "ENV_VAR",
    "SYSTEM_DIR",
    "load_wordnet",
    "wordnet_dir",
    "synset",
    "synsets",
    "synonyms",
    "path_similarity",
]

#: Environment variable naming a WordNet 3.0 ``dict`` directory, searched first.
ENV_VAR = "TSFORECAST_WORDNET"
#: Where Debian's ``wordnet-base`` package puts the WordNet 3.0 database.
SYSTEM_DIR = "/usr/share/wordnet"

_POS_FILES = ("noun", "verb", "adj", "adv")
_REQUIRED = (*(f"index.{p}" for p in _POS_FILES), *(f"data.{p}" for p in _POS_FILES),
             *(f"{p}.exc" for p in _POS_FILES), "cntlist.rev")
_BUILT = ("lexnames", "index.sense")
_POS_OPTIONS = ("n", "v", "a", "s", "r")
_DATABASE = "a UTF-8 text file of the WordNet 3.0 database"
_INSTALL_HINT = (
    "Install WordNet 3.0 with 'sudo apt-get install wordnet-base' (Debian/Ubuntu; "
    "'bash scripts/install-system-deps.sh' does it when run as root), or set "
    f"{ENV_VAR} to a WordNet 3.0 'dict' directory (index.noun, data.noun, ...)."
)

# The 45 lexicographer files of WordNet 3.0: number, name, syntactic category
# (1 noun, 2 verb, 3 adjective, 4 adverb), as tabulated in lexnames(5WN).
_LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
    "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food "
    "noun.group noun.location noun.motive noun.object noun.person noun.phenomenon "
    "noun.plant noun.possession noun.process noun.quantity noun.relation noun.shape "
    "noun.state noun.substance noun.time verb.body verb.change verb.cognition "
    "verb.communication verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative "
    "verb.weather adj.ppl"
).split()
_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}
_SS_TYPE = {"n": 1, "v": 2, "a": 3, "r": 4, "s": 5}

_lock = threading.Lock()
_readers: dict = {}


# ---------------------------------------------------------------------------- finding data
def _missing(directory: Path) -> list[str]:
    return [name for name in _REQUIRED if not (directory / name).is_file()]


def wordnet_dir() -> Path:
    """Return the WordNet 3.0 directory that :func:`load_wordnet` reads.

    ``$TSFORECAST_WORDNET`` when set (it must then hold the WordNet files: a
    wrong setting is an error, never silently skipped), else
    ``/usr/share/wordnet``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    LookupError
        If no WordNet 3.0 database is found; the message says how to install it.
    """
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        directory = Path(env).expanduser()
        missing = _missing(directory)
        if missing:
            raise LookupError(
                f"{ENV_VAR} is set to {env!r}, but that directory lacks the WordNet 3.0 "
                f"files {missing}. Point {ENV_VAR} at a WordNet 3.0 'dict' directory, or "
                f"unset it to use the system's copy in {SYSTEM_DIR}. {_INSTALL_HINT}"
            )
        return directory
    directory = Path(SYSTEM_DIR)
    missing = _missing(directory)
    if missing:
        where = "does not exist" if not directory.exists() else f"lacks {missing}"
        raise LookupError(
            f"WordNet 3.0 data was not found: {ENV_VAR} is not set and {SYSTEM_DIR} "
            f"{where}. {_INSTALL_HINT}"
        )
    return directory


def _check_version(directory: Path):
    for _, (_, line) in zip(range(40), text_lines(directory / "data.noun", _DATABASE)):
        match = re.search(r"WordNet (\S+) Copyright", line)
        if match:
            if match.group(1) != "3.0":
                raise LookupError(
                    f"The WordNet data in {directory} is version {match.group(1)}, but "
                    f"tsforecast.nlp.wordnet needs WordNet 3.0 (synset names and "
                    f"similarities differ between versions). {_INSTALL_HINT}"
                )
            return
    raise LookupError(f"{directory / 'data.noun'} has no WordNet licence header naming "
                      f"its version; it is not a WordNet 3.0 database. {_INSTALL_HINT}")


# ---------------------------------------------------------------------------- building files
def _lexnames_text() -> str:
    return "".join(f"{i:02d}\t{name}\t{_CATEGORY[name.split('.')[0]]}\n"
                   for i, name in enumerate(_LEXNAMES))


def _records(path: Path):
    """Split the lines of a WordNet index or data file, skipping the licence header."""
    for _, line in text_lines(path, _DATABASE):
        if not line.startswith("  "):
            yield line.split()


def _index_sense_lines(directory: Path) -> list[str]:
    """Build ``index.sense`` (see senseidx(5WN)) from the data, index and count files.

    One line per word sense: ``sense_key synset_offset sense_number tag_cnt``,
    sorted so that NLTK's binary search finds the keys.
    """
    sense_number = {}
    for pos in _POS_FILES:
        for fields in _records(directory / f"index.{pos}"):
            lemma, n_pointers = fields[0], int(fields[3])
            for number, offset in enumerate(fields[6 + n_pointers:], start=1):
                sense_number[pos, lemma, offset] = number
    tag_count = {}
    for fields in _records(directory / "cntlist.rev"):
        # cntlist.rev keeps the adjective markers on head words: "preceding(a)"
        tag_count[re.sub(r"\((?:a|p|ip)\)", "", fields[0])] = fields[2]

    def words(fields):
        n_words = int(fields[3], 16)
        return fields[4:4 + 2 * n_words:2], fields[5:5 + 2 * n_words:2]

    def lemma_of(word):  # adjective position markers: "galore(ip)" -> "galore"
        return re.sub(r"\((?:a|p|ip)\)$", "", word).lower()

    # head word and lex id of each adjective synset, for satellite sense keys
    heads = {}
    adjectives = list(_records(directory / "data.adj"))
    for fields in adjectives:
        names, lex_ids = words(fields)
        heads[fields[0]] = (lemma_of(names[0]), int(lex_ids[0], 16))

    lines, seen = [], set()
    for pos in _POS_FILES:
        records = adjectives if pos == "adj" else _records(directory / f"data.{pos}")
        for fields in records:
            offset, lex_file, ss_type = fields[0], fields[1], fields[2]
            names, lex_ids = words(fields)
            head = ":"
            if ss_type == "s":
                n_words = len(names)
                n_pointers = int(fields[4 + 2 * n_words])
                pointers = fields[5 + 2 * n_words:5 + 2 * n_words + 4 * n_pointers]
                similar = [pointers[i + 1] for i in range(0, len(pointers), 4)
                           if pointers[i] == "&"]
                head_word, head_id = heads[similar[0]]
                head = f"{head_word}:{head_id:02d}"
            for name, lex_id in zip(names, lex_ids):
                lemma = lemma_of(name)
                if (pos, lemma, offset) in seen:  # "Earth 0 earth 1": the first spelling's key
                    continue
                seen.add((pos, lemma, offset))
                key = f"{lemma}%{_SS_TYPE[ss_type]}:{lex_file}:{int(lex_id, 16):02d}:{head}"
                number = sense_number[pos, lemma, offset]
                lines.append(f"{key} {offset} {number} {tag_count.get(key, '0')}\n")
    lines.sort()
    return lines


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join("~", ".cache")
    return Path(base).expanduser() / "tsforecast" / "wordnet"


def _built_dir(directory: Path) -> Path:
    """The cache directory holding the files ``directory`` lacks, built if needed.

    The directory's name hashes the source path and the sizes and times of its
    files, so an upgraded or different WordNet gets its own build.
    """
    stamp = hashlib.sha256(str(directory.resolve()).encode())
    for name in _REQUIRED:
        st = (directory / name).stat()
        stamp.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    target = _cache_root() / stamp.hexdigest()[:16]
    if all((target / name).is_file() for name in _BUILT):
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
        try:
            (staging / "lexnames").write_text(_lexnames_text(), encoding="utf-8")
            if (directory / "index.sense").is_file():
                shutil.copyfile(directory / "index.sense", staging / "index.sense")
            else:
                with open(staging / "index.sense", "w", encoding="utf-8") as f:
                    f.writelines(_index_sense_lines(directory))
            (staging / "SOURCE").write_text(f"built from {directory.resolve()}\n")
            for path in staging.iterdir():
                path.chmod(0o644)  # NLTK refuses group- or world-writable files
            staging.chmod(0o755)
            try:
                staging.rename(target)
            except OSError:  # another process finished the same build first
                if not all((target / name).is_file() for name in _BUILT):
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as err:
        raise OSError(
            f"Could not write the WordNet files NLTK needs ({', '.join(_BUILT)}) to "
            f"{target}: {err}. Set XDG_CACHE_HOME to a writable directory."
        ) from err
    return target


# ---------------------------------------------------------------------------- the reader
class _NameOrderedPointers(dict):
    """A synset's pointers (relation symbol -> targets), the targets in synset-name order.

    NLTK 3.10 keeps each relation's targets in a set of (pos, offset) tuples,
    whose iteration order changes from one Python process to the next (string
    hashing is randomised), and so would ``hypernyms()`` and
    ``hypernym_paths()[0]``. Earlier NLTK versions sorted them by name; this
    restores that order, sorting each relation once, when it is first read.
    """

    def __init__(self, pointers, reader):
        super().__init__(pointers)
        self._reader = reader

    def __getitem__(self, symbol):
        targets = super().__getitem__(symbol)
        if isinstance(targets, set):
            synset = self._reader.synset_from_pos_and_offset
            targets = sorted(targets, key=lambda target: synset(*target).name())
            super().__setitem__(symbol, targets)
        return targets


def _reader_class():
    from nltk.corpus.reader.wordnet import WordNetCorpusReader
    from nltk.data import FileSystemPathPointer

    class _WordNet30Reader(WordNetCorpusReader):
        """NLTK's reader over a WordNet 3.0 directory, with the files it lacks elsewhere."""

        def __init__(self, root, built):
            # set before the parent's __init__, which opens "lexnames"
            self._built_files = {name: FileSystemPathPointer(str(built / name))
                                 for name in _BUILT if not (root / name).is_file()}
            super().__init__(str(root), None)

        def open(self, fileid):
            if fileid in self._built_files:
                return self._built_files[fileid].open(self.encoding(fileid))
            return super().open(fileid)

        def _synset_from_pos_and_line(self, pos, data_file_line):
            synset = super()._synset_from_pos_and_line(pos, data_file_line)
            synset._pointers = _NameOrderedPointers(synset._pointers, self)
            return synset

        def map_wn(self, version="wordnet"):
            # NLTK maps other WordNet versions onto 3.0, the version its
            # multilingual data is keyed on, by loading nltk_data's "wordnet".
            # This data is 3.0 itself, so the mapping is the identity.
            if version == "wordnet":
                return None
            return super().map_wn(version)

    return _WordNet30Reader


def _allow(path: Path):
    """Register ``path`` with NLTK, whose readers only open files under nltk.data.path."""
    import nltk.data

    path = str(path.resolve())
    if path not in nltk.data.path:
        nltk.data.path.append(path)


def load_wordnet():
    """Return NLTK's WordNet 3.0 reader over the local WordNet files.

    The reader is built once per data directory and cached (loading the
    lemma index takes about a second). See the module docstring for where
    the data is looked up and which files are built at first use.

    Returns
    -------
    nltk.corpus.reader.wordnet.WordNetCorpusReader

    Raises
    ------
    LookupError
        If no WordNet 3.0 data is found; the message says how to install it.

    Examples
    --------
    >>> from tsforecast.nlp.wordnet import load_wordnet
    >>> wn = load_wordnet()
    >>> wn.get_version()
    '3.0'
    >>> wn.synset("dog.n.01").definition()[:40]
    'a member of the genus Canis (probably de'
    """
    directory = wordnet_dir()
    key = str(directory.resolve())
    with _lock:
        if key not in _readers:
            _check_version(directory)
            built = _built_dir(directory)
            _allow(directory)
            _allow(built)
            with warnings.catch_warnings():
                # no Open Multilingual WordNet reader is attached on purpose
                warnings.filterwarnings("ignore", message=".*multilingual functions.*")
                _readers[key] = _reader_class()(directory, built)
        return _readers[key]


# ---------------------------------------------------------------------------- lookups
def _check_word(function, word):
    if not isinstance(word, str):
        raise TypeError(f"{function} expects a word as a str. Got {type(word).__name__} "
                        f"({word!r}) instead.")
    if not word.strip():
        raise ValueError(f"{function} expects a non-empty word. Got {word!r} instead.")
    return word.strip().replace(" ", "_")


def _check_pos(function, pos):
    if pos is not None and pos not in _POS_OPTIONS:
        shown = ", ".join(repr(p) for p in _POS_OPTIONS)
        raise ValueError(
            f"The 'pos' parameter of {function} must be None or one of {shown} (noun, verb, "
            f"adjective, adjective satellite, adverb). Got {pos!r} instead."
        )


def synsets(word, pos=None):
    """Return the synsets (senses) of ``word``, most frequent sense first.

    Inflected forms are reduced to their base form (``"cars"`` gives the
    senses of ``"car"``); spaces may stand for WordNet's underscores
    (``"motor vehicle"``).

    Parameters
    ----------
    word : str
    pos : {"n", "v", "a", "s", "r"} or None, default=None
        Keep only nouns, verbs, adjectives, adjective satellites or adverbs.

    Returns
    -------
    list of nltk.corpus.reader.wordnet.Synset

    Raises
    ------
    ValueError
        If WordNet has no sense of ``word`` (with that part of speech).
    LookupError
        If the WordNet data is not installed.

    Examples
    --------
    >>> from tsforecast.nlp import wordnet
    >>> [s.name() for s in wordnet.synsets("car")]
    ['car.n.01', 'car.n.02', 'car.n.03', 'car.n.04', 'cable_car.n.01']
    >>> [s.name() for s in wordnet.synsets("run", pos="n")][:3]
    ['run.n.01', 'test.n.05', 'footrace.n.01']
    """
    lemma = _check_word("synsets", word)
    _check_pos("synsets", pos)
    found = load_wordnet().synsets(lemma, pos=pos)
    if not found:
        what = "" if pos is None else f" with part of speech {pos!r}"
        raise ValueError(
            f"{word!r} is not in WordNet 3.0{what}. Check the spelling, pass a base form or "
            f"an inflection of an English word, and write multi-word expressions with "
            f"spaces or underscores (e.g. 'motor vehicle')."
        )
    return found


def synset(name):
    """Return the synset called ``name``, as ``"lemma.pos.nn"`` (e.g. ``"car.n.01"``).

    Parameters
    ----------
    name : str
        Lemma, part of speech (``n``, ``v``, ``a``, ``s``, ``r``) and sense
        number, separated by dots.

    Returns
    -------
    nltk.corpus.reader.wordnet.Synset

    Raises
    ------
    ValueError
        If ``name`` is malformed or names no synset.
    LookupError
        If the WordNet data is not installed.

    Examples
    --------
    >>> from tsforecast.nlp import wordnet
    >>> car = wordnet.synset("car.n.01")
    >>> car.lemma_names()
    ['car', 'auto', 'automobile', 'machine', 'motorcar']
    >>> car.definition()
    'a motor vehicle with four wheels; usually propelled by an internal combustion engine'
    >>> " -> ".join(s.name() for s in car.hypernym_paths()[0][-3:])
    'self-propelled_vehicle.n.01 -> motor_vehicle.n.01 -> car.n.01'
    """
    from nltk.corpus.reader.wordnet import WordNetError

    if not isinstance(name, str):
        raise TypeError(f"synset expects a synset name as a str such as 'car.n.01'. Got "
                        f"{type(name).__name__} ({name!r}) instead.")
    match = re.fullmatch(r"(.+)\.([nvasr])\.(\d+)", name.strip())
    if match is None:
        raise ValueError(
            f"synset expects a name of the form 'lemma.pos.nn' with pos one of n, v, a, s, r "
            f"(e.g. 'car.n.01'). Got {name!r} instead. Use synsets(word) to list the synsets "
            f"of a word."
        )
    reader = load_wordnet()
    try:
        return reader.synset(name.strip())
    except WordNetError as err:
        lemma, pos = match.group(1), match.group(2)
        senses = reader.synsets(lemma, pos=pos)
        have = (f"{lemma!r} has {len(senses)} synsets with pos {pos!r}: "
                f"{[s.name() for s in senses]}" if senses
                else f"WordNet 3.0 has no {lemma!r} with pos {pos!r}")
        raise ValueError(f"There is no synset {name!r} ({err}): {have}.") from None


def synonyms(word, pos=None):
    """Return the lemma names of all synsets of ``word``, without repeats.

    Parameters
    ----------
    word : str
    pos : {"n", "v", "a", "s", "r"} or None, default=None

    Returns
    -------
    list of str
        In sense order, then in the order WordNet lists the lemmas.

    Examples
    --------
    >>> from tsforecast.nlp import wordnet
    >>> wordnet.synonyms("car")[:6]
    ['car', 'auto', 'automobile', 'machine', 'motorcar', 'railcar']
    """
    names = []
    for sense in synsets(word, pos=pos):
        names.extend(n for n in sense.lemma_names() if n not in names)
    return names


def path_similarity(a, b):
    """Path similarity of two synsets: ``1 / (1 + shortest hypernym-path length)``.

    In (0, 1]; 1 for the same synset. Noun and verb hierarchies share a
    simulated root, as in NLTK.

    Parameters
    ----------
    a, b : str or nltk.corpus.reader.wordnet.Synset
        Synsets or synset names such as ``"car.n.01"``.

    Returns
    -------
    float or None
        None when the synsets have no common hypernym (e.g. adjectives).

    Examples
    --------
    >>> from tsforecast.nlp import wordnet
    >>> round(wordnet.path_similarity("car.n.01", "motorcycle.n.01"), 4)
    0.3333
    >>> round(wordnet.path_similarity("car.n.01", "novel.n.01"), 4)
    0.0556
    """
    first, second = (synset(x) if isinstance(x, str) else x for x in (a, b))
    for x in (first, second):
        if not hasattr(x, "path_similarity"):
            raise TypeError(f"path_similarity expects synsets or synset names. Got "
                            f"{type(x).__name__} ({x!r}) instead.")
    return first.path_similarity(second)
