"""Cosine similarity, nearest words and analogies over any word-vector matrix.

These functions work on count-based vectors (dense or sparse rows) and on
word2vec's ``word_vectors_`` alike.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..utils.validation import check_float, check_int

__all__ = ["cos_similarity", "most_similar", "analogy"]


def cos_similarity(x, y, eps=1e-8):
    """Cosine similarity of two vectors: ``x . y / (|x| |y|)``.

    Parameters
    ----------
    x, y : array-like of shape (d,) or sparse row
    eps : float, default=1e-8
        Added to each norm, so that a zero vector gives 0 rather than NaN.

    Returns
    -------
    float
        In [-1, 1].

    Examples
    --------
    >>> from tsforecast.nlp import cos_similarity
    >>> round(cos_similarity([1, 0, 1], [0, 1, 1]), 4)
    0.5
    """
    check_float("cos_similarity", "eps", eps, low=0.0, high=float("inf"), high_open=True)
    a, b = (_dense_vector(v, "cos_similarity") for v in (x, y))
    if a.shape != b.shape:
        raise ValueError(f"cos_similarity expects two vectors of the same length. Got "
                         f"{a.shape[0]} and {b.shape[0]}.")
    return float(a @ b / ((np.linalg.norm(a) + eps) * (np.linalg.norm(b) + eps)))


def _dense_vector(v, function):
    v = v.toarray() if sp.issparse(v) else np.asarray(v, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    if v.ndim == 2 and 1 in v.shape:
        v = v.ravel()
    if v.ndim != 1:
        raise ValueError(f"{function} expects 1-D vectors. Got shape {v.shape} instead.")
    return v


def _normalized_rows(word_matrix, eps=1e-8):
    """Rows scaled to unit length, as a dense float array or a CSR matrix."""
    if sp.issparse(word_matrix):
        M = sp.csr_matrix(word_matrix, dtype=np.float64)
        norms = np.sqrt(np.asarray(M.multiply(M).sum(axis=1)).ravel())
        return sp.diags(1.0 / (norms + eps)) @ M
    M = np.asarray(word_matrix, dtype=np.float64)
    if M.ndim != 2:
        raise ValueError(f"word_matrix must be 2-D (one row per word). Got shape {M.shape} "
                         f"instead.")
    return M / (np.linalg.norm(M, axis=1, keepdims=True) + eps)


def _word_id(function, word, word_to_id):
    if word not in word_to_id:
        raise ValueError(
            f"{function}: {word!r} is not in the vocabulary ({len(word_to_id)} words). "
            f"Check the spelling and case (preprocess lower-cases), or use a word of the "
            f"corpus the vectors were built from."
        )
    return word_to_id[word]


def _check_matrix(function, word_matrix, id_to_word):
    if word_matrix.shape[0] != len(id_to_word):
        raise ValueError(
            f"{function}: word_matrix has {word_matrix.shape[0]} rows but the vocabulary has "
            f"{len(id_to_word)} words. Pass the matrix built from the same corpus, one row "
            f"per word id."
        )


def _ranked(similarity, exclude, id_to_word, top):
    similarity = np.asarray(similarity, dtype=np.float64).ravel().copy()
    similarity[list(exclude)] = -np.inf
    # a stable sort keeps ties in id order, i.e. order of first appearance
    order = np.argsort(-similarity, kind="stable")[:min(top, len(similarity) - len(exclude))]
    return [(id_to_word[i], float(similarity[i])) for i in order]


def most_similar(query, word_to_id, id_to_word, word_matrix, top=5):
    """Return the ``top`` words whose vectors are closest to ``query``'s by cosine.

    Parameters
    ----------
    query : str
    word_to_id : dict of str to int
    id_to_word : list of str
    word_matrix : ndarray or scipy sparse matrix of shape (V, d)
        One row per word id: co-occurrence counts, PPMI, SVD or word2vec vectors.
    top : int, default=5

    Returns
    -------
    list of (str, float)
        Words and cosine similarities, most similar first; the query itself
        is left out and ties keep vocabulary order.

    Examples
    --------
    >>> from tsforecast.nlp import create_co_matrix, most_similar, preprocess
    >>> corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    >>> C = create_co_matrix(corpus, len(word_to_id))
    >>> [(w, round(s, 4)) for w, s in most_similar("you", word_to_id, id_to_word, C)]
    [('goodbye', 0.7071), ('i', 0.7071), ('hello', 0.7071), ('say', 0.0), ('and', 0.0)]
    """
    check_int("most_similar", "top", top)
    _check_matrix("most_similar", word_matrix, id_to_word)
    i = _word_id("most_similar", query, word_to_id)
    M = _normalized_rows(word_matrix)
    similarity = M @ (M[i].toarray().ravel() if sp.issparse(M) else M[i])
    return _ranked(similarity, {i}, id_to_word, top)


def analogy(a, b, c, word_to_id, id_to_word, word_matrix, top=5):
    """Solve "``a`` is to ``b`` as ``c`` is to ?" by vector arithmetic.

    The answer is the word whose vector is closest by cosine to
    ``b - a + c`` (each vector scaled to unit length first), leaving out
    ``a``, ``b`` and ``c`` (Mikolov et al., 2013): with good vectors
    ``analogy("man", "king", "woman")`` gives ``"queen"``.

    Parameters
    ----------
    a, b, c : str
    word_to_id : dict of str to int
    id_to_word : list of str
    word_matrix : ndarray or scipy sparse matrix of shape (V, d)
    top : int, default=5

    Returns
    -------
    list of (str, float)
        Candidate answers and their cosine similarity to ``b - a + c``.

    References
    ----------
    Mikolov, T., Yih, W. & Zweig, G. (2013). Linguistic regularities in
    continuous space word representations. *NAACL-HLT*.

    Examples
    --------
    >>> import numpy as np
    >>> from tsforecast.nlp import analogy
    >>> words = ["man", "king", "woman", "queen", "apple"]
    >>> vectors = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1], [-1, -1, 1]])
    >>> [(w, round(s, 3)) for w, s in analogy("man", "king", "woman",
    ...     {w: i for i, w in enumerate(words)}, words, vectors, top=2)]
    [('queen', 0.959), ('apple', 0.269)]
    """
    check_int("analogy", "top", top)
    _check_matrix("analogy", word_matrix, id_to_word)
    ids = [_word_id("analogy", w, word_to_id) for w in (a, b, c)]
    M = _normalized_rows(word_matrix)
    rows = M[ids].toarray() if sp.issparse(M) else M[ids]
    target = rows[1] - rows[0] + rows[2]
    target = target / (np.linalg.norm(target) + 1e-8)
    return _ranked(M @ target, set(ids), id_to_word, top)
