"""The one tokeniser and vocabulary of the text models."""

import json

import numpy as np
import pytest

from tsforecast.nlp import Vocabulary, tokenize

TOKENS = "b a c a b a d".split()  # a x3, b x2, c, d


def test_tokenize_units():
    assert tokenize("Don't STOP, 3.5 now!") == ["don't", "stop", ",", "3.5", "now", "!"]
    assert tokenize("Don't  STOP,\tnow", unit="word") == ["Don't", "STOP,", "now"]
    assert tokenize("ab c", unit="char") == ["a", "b", " ", "c"]
    with pytest.raises(ValueError, match="The 'unit' parameter of tokenize must be one of "
                                         "'text', 'word', 'char'. Got 'bytes'"):
        tokenize("x", unit="bytes")
    with pytest.raises(TypeError, match="expects text as a str. Got list"):
        tokenize(["x"])


@pytest.mark.parametrize("order, expected", [
    ("frequency", ["a", "b", "c", "d"]),  # ties (c, d) keep the order of first appearance
    ("appearance", ["b", "a", "c", "d"]),
    ("sorted", ["a", "b", "c", "d"]),
])
def test_orders(order, expected):
    vocab = Vocabulary.from_tokens(TOKENS, order=order)
    assert vocab.tokens == expected
    assert dict(zip(vocab.tokens, vocab.counts.tolist())) == {"a": 3, "b": 2, "c": 1, "d": 1}


def test_min_count_max_size_and_specials():
    vocab = Vocabulary.from_tokens(TOKENS, min_count=2, specials=["<pad>", "<unk>"],
                                   unknown="<unk>")
    assert vocab.tokens == ["<pad>", "<unk>", "a", "b"] and vocab.counts.tolist() == [0, 0, 3, 2]
    assert vocab.encode(["a", "d", "b"]).tolist() == [2, 1, 3]  # d is rare -> <unk>
    top = Vocabulary.from_tokens(TOKENS, max_size=1, specials=["<pad>"])
    assert top.tokens == ["<pad>", "a"]
    # a special already in the data keeps one id, the first ones
    assert Vocabulary.from_tokens(["<s>", "x"], specials=["<s>"]).tokens == ["<s>", "x"]


def test_encode_without_unknown_token():
    vocab = Vocabulary.from_tokens(TOKENS)
    assert vocab.encode(["a", "zz", "b"], missing="mark").tolist() == [0, -1, 1]
    assert vocab.encode(["a", "zz", "b"], missing="drop").tolist() == [0, 1]
    with pytest.raises(ValueError, match=r"The prompt has 1 word\(s\) that are not in the "
                                         r"vocabulary of this RNNLM \('zz'\)\. Try again"):
        vocab.encode(["a", "zz", "zz"], owner="RNNLM", what="The prompt", unit="word",
                     hint="Try again.")
    assert vocab.decode([3, 0]) == ["d", "a"] and len(vocab) == 4 and "c" in vocab


def test_labels_of_any_hashable_type_and_json_round_trip():
    vocab = Vocabulary.from_tokens([3, 1, 2, 1, None], order="sorted")
    assert vocab.tokens == [3, 1, 2, None]  # ints and None cannot be sorted: first appearance
    assert all(type(t) is int for t in vocab.tokens[:3])
    ints = Vocabulary.from_tokens(np.array([3, 1, 2]), order="sorted")
    assert ints.tokens == [1, 2, 3] and type(ints.tokens[0]) is int
    state = json.loads(json.dumps(vocab.state_dict()))
    assert Vocabulary.from_state_dict(state) == vocab
    with pytest.raises(ValueError, match="same token twice"):
        Vocabulary(["a", "a"])
    with pytest.raises(ValueError, match="unknown token '<unk>' is not in the vocabulary"):
        Vocabulary(["a"], unknown="<unk>")
