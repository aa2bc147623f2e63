"""WordNet 3.0 through NLTK, read offline from the system's (Debian's) WordNet files.

The pinned values need the real WordNet 3.0 data. Outside CI the tests that
need it are skipped (with the reason) when it is not installed; in CI
(CI=true), where `make test` installs it, a missing database fails them.
The set-up tests run on a tiny WordNet written here, with or without the data.
"""

import os

import nltk.data
import pytest

from tsforecast.nlp import wordnet


@pytest.fixture(scope="module")
def wn():
    try:
        return wordnet.load_wordnet()
    except LookupError as err:
        if os.environ.get("CI"):
            raise  # CI installs wordnet-base (scripts/install-system-deps.sh): never skip there
        pytest.skip(f"WordNet 3.0 data is not installed: {err}")


# ---------------------------------------------------------------------- pinned values (real data)
def test_car_lemma_names(wn):
    assert wordnet.synset("car.n.01").lemma_names() == [
        "car", "auto", "automobile", "machine", "motorcar"]


@pytest.mark.parametrize("other, expected", [
    ("novel.n.01", 0.0556), ("dog.n.01", 0.0769), ("motorcycle.n.01", 0.3333)])
def test_path_similarity_of_car(wn, other, expected):
    assert round(wordnet.path_similarity("car.n.01", other), 4) == expected
    car = wordnet.synset("car.n.01")
    assert car.path_similarity(wordnet.synset(other)) == wordnet.path_similarity(car, other)


def test_first_hypernym_path_of_car(wn):
    path = [s.name() for s in wordnet.synset("car.n.01").hypernym_paths()[0]]
    assert path == ["entity.n.01", "physical_entity.n.01", "object.n.01", "whole.n.02",
                    "artifact.n.01", "instrumentality.n.03", "container.n.01",
                    "wheeled_vehicle.n.01", "self-propelled_vehicle.n.01",
                    "motor_vehicle.n.01", "car.n.01"]


def test_relations_are_in_name_order_whatever_the_hash_seed(wn):
    """NLTK 3.10 keeps relation targets in sets, whose order changes between processes."""
    for name in ("wheeled_vehicle.n.01", "person.n.01", "water.n.01", "gold.n.03",
                 "teacher.n.01", "run.v.01"):
        for related in (wordnet.synset(name).hypernyms(), wordnet.synset(name).hyponyms()):
            assert [s.name() for s in related] == sorted(s.name() for s in related)
    assert len(wordnet.synset("wheeled_vehicle.n.01").hypernyms()) == 2


def test_synsets_definitions_and_synonyms(wn):
    senses = wordnet.synsets("car")
    assert [s.name() for s in senses] == ["car.n.01", "car.n.02", "car.n.03", "car.n.04",
                                          "cable_car.n.01"]
    assert senses[0].definition() == ("a motor vehicle with four wheels; usually propelled by "
                                      "an internal combustion engine")
    assert wordnet.synsets("cars") == senses  # inflections reduced by NLTK's morphy
    assert wordnet.synsets("motor vehicle") == [wordnet.synset("motor_vehicle.n.01")]
    assert [s.name() for s in wordnet.synsets("run", pos="v")][:2] == ["run.v.01",
                                                                       "scat.v.01"]
    names = wordnet.synonyms("car")
    assert names[:5] == ["car", "auto", "automobile", "machine", "motorcar"]
    assert len(names) == len(set(names))


def test_files_nltk_needs_are_built_and_read(wn):
    """lexnames and index.sense, absent from Debian's wordnet-base, serve NLTK's lookups."""
    car = wordnet.synset("car.n.01")
    assert car.lexname() == "noun.artifact"
    assert wn.lemma_from_key("car%1:06:00::") == car.lemmas()[0]
    # an adjective satellite's key names its head word, and its tag count comes from cntlist.rev
    assert wn.lemma_from_key("galore%5:00:00:abundant:00").synset().name() == "abounding.s.01"
    from nltk.util import binary_search_file
    with wn.open("index.sense") as f:
        assert binary_search_file(f, "above%5:00:00:preceding:00").split() == [
            "above%5:00:00:preceding:00", "00125993", "1", "13"]
    assert car.lemmas()[0].count() == 71
    assert wn.get_version() == "3.0"


def test_unknown_words_and_names_raise_clear_errors(wn):
    with pytest.raises(ValueError, match="'qwzxv' is not in WordNet 3.0. Check the spelling"):
        wordnet.synsets("qwzxv")
    with pytest.raises(ValueError, match="with part of speech 'v'"):
        wordnet.synsets("car", pos="v")
    with pytest.raises(ValueError, match=r"no synset 'car.n.99'.*'car' has 5 synsets"):
        wordnet.synset("car.n.99")
    with pytest.raises(ValueError, match="WordNet 3.0 has no 'qwzxv' with pos 'n'"):
        wordnet.synset("qwzxv.n.01")
    with pytest.raises(ValueError, match="of the form 'lemma.pos.nn'"):
        wordnet.synset("car")
    with pytest.raises(ValueError, match="'pos' parameter of synsets must be None or one of"):
        wordnet.synsets("car", pos="noun")
    with pytest.raises(TypeError, match="synsets expects a word as a str"):
        wordnet.synsets(3)
    with pytest.raises(TypeError, match="expects synsets or synset names"):
        wordnet.path_similarity("car.n.01", 3)


# ---------------------------------------------------------------------- finding and building data
def test_missing_data_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv(wordnet.ENV_VAR, raising=False)
    monkeypatch.setattr(wordnet, "SYSTEM_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(LookupError, match=r"WordNet 3.0 data was not found.*does not exist.*"
                                          r"apt-get install wordnet-base"):
        wordnet.load_wordnet()


def test_env_var_naming_a_wrong_directory_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv(wordnet.ENV_VAR, str(tmp_path))
    with pytest.raises(LookupError, match=r"TSFORECAST_WORDNET is set to .* lacks the WordNet "
                                          r"3.0 files \['index.noun'.*wordnet-base"):
        wordnet.synsets("car")


def _tiny_wordnet(directory, version="3.0"):
    """Write a WordNet database of five synsets in the WordNet 3.0 file formats (wndb(5WN)).

    Offsets are byte positions, so each file is laid out twice: once to measure
    the line lengths (fixed-width offsets make them independent of the values).
    """
    header = f"  1 Tiny test database. WordNet {version} Copyright 2006 by Princeton.  \n"
    # name: (file, lex file, ss_type, [(word, lex_id)], [(pointer, target, pos)], gloss)
    synsets = {
        "entity": ("noun", "03", "n", [("entity", 0)], [("~", "vehicle", "n")], "that which is"),
        "vehicle": ("noun", "06", "n", [("vehicle", 0)],
                    [("@", "entity", "n"), ("~", "car", "n")], "a conveyance"),
        "car": ("noun", "06", "n", [("car", 0), ("Auto", 1)], [("@", "vehicle", "n")],
                "a motor vehicle"),
        "large": ("adj", "00", "a", [("large", 0)], [("&", "huge", "s")], "above average"),
        "huge": ("adj", "00", "s", [("huge(a)", 0), ("vast", 2)], [("&", "large", "a")],
                 "unusually great"),
    }
    offsets = {}
    for _ in range(2):
        for pos in ("noun", "verb", "adj", "adv"):
            lines, position = [header], len(header)
            for name, (file, lex, ss, words, pointers, gloss) in synsets.items():
                if file != pos:
                    continue
                offsets[name] = position
                text = (f"{position:08d} {lex} {ss} {len(words):02x} "
                        + "".join(f"{w} {i:x} " for w, i in words)
                        + f"{len(pointers):03d} "
                        + "".join(f"{p} {offsets.get(t, 0):08d} {tp} 0000 "
                                  for p, t, tp in pointers)
                        + f"| {gloss}  \n")
                lines.append(text)
                position += len(text.encode())
            (directory / f"data.{pos}").write_text("".join(lines))
    index = {"noun": ["auto n 1 1 @ 1 0 {car}", "car n 1 1 @ 1 1 {car}",
                      "entity n 1 1 ~ 1 0 {entity}", "vehicle n 1 2 @ ~ 1 0 {vehicle}"],
             "adj": ["huge a 1 1 & 1 0 {huge}", "large a 1 1 & 1 0 {large}",
                     "vast a 1 1 & 1 0 {huge}"], "verb": [], "adv": []}
    for pos, lines in index.items():
        body = "".join(line.format(**{k: f"{v:08d}" for k, v in offsets.items()}) + "  \n"
                       for line in lines)
        (directory / f"index.{pos}").write_text(header + body)
        (directory / f"{pos}.exc").write_text("cars car\n" if pos == "noun" else "")
    (directory / "cntlist.rev").write_text("car%1:06:00:: 1 5\nhuge%5:00:00:large(a):00 1 2\n")
    return offsets


def test_first_use_builds_lexnames_and_index_sense(monkeypatch, tmp_path):
    source, cache = tmp_path / "dict", tmp_path / "cache"
    source.mkdir()
    offsets = _tiny_wordnet(source)
    monkeypatch.setenv(wordnet.ENV_VAR, str(source))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr(wordnet, "_readers", {})
    monkeypatch.setattr(nltk.data, "path", list(nltk.data.path))

    car = wordnet.synset("car.n.01")
    assert car.lemma_names() == ["car", "Auto"]
    assert [s.name() for s in car.hypernym_paths()[0]] == ["entity.n.01", "vehicle.n.01",
                                                           "car.n.01"]
    assert wordnet.path_similarity("car.n.01", "entity.n.01") == pytest.approx(1 / 3)
    assert wordnet.synsets("cars") == [car]
    assert car.lexname() == "noun.artifact"
    assert car.lemmas()[0].count() == 5

    built = list((cache / "tsforecast" / "wordnet").iterdir())
    assert len(built) == 1
    lexnames = (built[0] / "lexnames").read_text().splitlines()
    assert len(lexnames) == 45
    assert lexnames[6] == "06\tnoun.artifact\t1" and lexnames[44] == "44\tadj.ppl\t3"
    index_sense = (built[0] / "index.sense").read_text().splitlines()
    o = {k: f"{v:08d}" for k, v in offsets.items()}
    assert index_sense == [
        f"auto%1:06:01:: {o['car']} 1 0",
        f"car%1:06:00:: {o['car']} 1 5",
        f"entity%1:03:00:: {o['entity']} 1 0",
        f"huge%5:00:00:large:00 {o['huge']} 1 2",
        f"large%3:00:00:: {o['large']} 1 0",
        f"vast%5:00:02:large:00 {o['huge']} 1 0",
        f"vehicle%1:06:00:: {o['vehicle']} 1 0",
    ]
    reader = wordnet.load_wordnet()
    assert reader is wordnet.load_wordnet()  # built once, then cached
    assert reader.lemma_from_key("vast%5:00:02:large:00").synset().name() == "huge.s.01"


def test_other_wordnet_versions_are_refused(monkeypatch, tmp_path):
    _tiny_wordnet(tmp_path, version="3.1")
    monkeypatch.setenv(wordnet.ENV_VAR, str(tmp_path))
    monkeypatch.setattr(wordnet, "_readers", {})
    with pytest.raises(LookupError, match="is version 3.1, but tsforecast.nlp.wordnet needs "
                                          "WordNet 3.0"):
        wordnet.load_wordnet()
