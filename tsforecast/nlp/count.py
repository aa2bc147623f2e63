"""Count-based word vectors: co-occurrence counts, PPMI and truncated SVD.

The distributional hypothesis says that a word's meaning is given by the
words around it. Counting, for each word, how often every other word occurs
within ``window_size`` positions gives a vector per word; re-weighting the
counts by positive pointwise mutual information (PPMI) discounts words that
occur next to everything ("the", "."), and a truncated SVD compresses the
sparse V-dimensional vectors into dense ones of ~100 dimensions.

Everything stays sparse until the SVD: a vocabulary of 10,000 words gives a
10,000 x 10,000 matrix of which about 1% is non-zero on Penn Treebank.
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp

from ..utils.validation import check_float, check_int

__all__ = ["create_co_matrix", "ppmi", "reduce_dimensions"]


def check_corpus(function, corpus, vocab_size=None):
    """Return ``corpus`` as a 1-D int64 array of ids in ``[0, vocab_size)``."""
    array = np.asarray(corpus)
    if array.ndim != 1 or not (np.issubdtype(array.dtype, np.integer) or array.size == 0):
        raise TypeError(
            f"{function} expects the corpus as a 1-D array of int word ids (as returned by "
            f"preprocess or load_ptb). Got an array of shape {array.shape} and dtype "
            f"{array.dtype} instead."
        )
    if array.size == 0:
        raise ValueError(f"{function} got an empty corpus. Pass at least one word id.")
    if vocab_size is not None:
        low, high = int(array.min()), int(array.max())
        if low < 0 or high >= vocab_size:
            raise ValueError(
                f"{function} got word ids in [{low}, {high}], but vocab_size={vocab_size} "
                f"allows [0, {vocab_size - 1}]. Pass vocab_size=len(word_to_id)."
            )
    return array.astype(np.int64, copy=False)


def create_co_matrix(corpus, vocab_size, window_size=1):
    """Count how often each word occurs within ``window_size`` words of each other word.

    ``C[i, j]`` is the number of times word ``j`` occurs at most
    ``window_size`` positions before or after an occurrence of word ``i``.
    The matrix is symmetric. The counting is vectorised over the corpus (one
    pass per offset), so a million-token corpus takes well under a second.

    Parameters
    ----------
    corpus : array-like of int, shape (n_tokens,)
        Word ids, e.g. from :func:`preprocess`.
    vocab_size : int
        Number of words; the matrix is ``(vocab_size, vocab_size)``.
    window_size : int, default=1
        Context words counted on each side.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (vocab_size, vocab_size), dtype int64

    See Also
    --------
    ppmi : Re-weight the counts.

    Examples
    --------
    >>> from tsforecast.nlp import create_co_matrix, preprocess
    >>> corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    >>> C = create_co_matrix(corpus, len(word_to_id))
    >>> C.toarray()[word_to_id["say"]]
    array([1, 0, 1, 0, 1, 1, 0])
    """
    check_int("create_co_matrix", "vocab_size", vocab_size)
    check_int("create_co_matrix", "window_size", window_size)
    ids = check_corpus("create_co_matrix", corpus, vocab_size)
    rows, cols = [], []
    for offset in range(1, min(window_size, len(ids) - 1) + 1):
        left, right = ids[:-offset], ids[offset:]
        rows += [left, right]
        cols += [right, left]
    if not rows:  # a one-word corpus has no pairs
        return sp.csr_matrix((vocab_size, vocab_size), dtype=np.int64)
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    counts = np.ones(len(rows), dtype=np.int64)
    # duplicates are summed when converting from COO
    return sp.coo_matrix((counts, (rows, cols)), shape=(vocab_size, vocab_size)).tocsr()


def ppmi(C, eps=1e-8):
    """Positive pointwise mutual information of a co-occurrence matrix.

    ``PPMI[i, j] = max(0, log2(C[i, j] * N / (S[i] * S[j])))`` with ``N`` the
    total count and ``S`` the column sums (Church & Hanks, 1990). Pairs never
    seen together score 0, so a sparse ``C`` gives a sparse result with the
    same or fewer stored entries: only the non-zero counts are computed.

    Parameters
    ----------
    C : scipy sparse matrix or array-like of shape (V, V)
        Co-occurrence counts, e.g. from :func:`create_co_matrix`.
    eps : float, default=1e-8
        Added to the denominator for dense input, where rows of zeros occur.

    Returns
    -------
    scipy.sparse.csr_matrix or ndarray of shape (V, V), dtype float64
        Sparse for sparse ``C``, dense otherwise.

    References
    ----------
    Church, K. W. & Hanks, P. (1990). Word association norms, mutual
    information, and lexicography. *Computational Linguistics*, 16(1).

    Examples
    --------
    >>> from tsforecast.nlp import create_co_matrix, ppmi, preprocess
    >>> corpus, word_to_id, _ = preprocess("You say goodbye and I say hello.")
    >>> W = ppmi(create_co_matrix(corpus, len(word_to_id)))
    >>> round(float(W[word_to_id["you"], word_to_id["say"]]), 3)
    1.807
    """
    check_float("ppmi", "eps", eps, low=0.0, high=float("inf"), high_open=True)
    if sp.issparse(C):
        coo = sp.coo_matrix(C, dtype=np.float64)
        if coo.shape[0] != coo.shape[1]:
            raise ValueError(f"ppmi expects a square co-occurrence matrix. Got shape "
                             f"{coo.shape} instead.")
        coo.sum_duplicates()
        if (coo.data < 0).any():
            raise ValueError("ppmi expects non-negative counts, but C has negative entries.")
        total = coo.data.sum()
        sums = np.asarray(coo.sum(axis=0)).ravel()
        with np.errstate(divide="ignore"):
            pmi = np.log2(coo.data * total / (sums[coo.row] * sums[coo.col]))
        keep = pmi > 0
        return sp.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=coo.shape)
    M = np.asarray(C, dtype=np.float64)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"ppmi expects a square co-occurrence matrix. Got shape {M.shape} "
                         f"instead.")
    if (M < 0).any():
        raise ValueError("ppmi expects non-negative counts, but C has negative entries.")
    sums = M.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log2(M * M.sum() / (np.outer(sums, sums) + eps) + eps)
    return np.maximum(pmi, 0.0)


def reduce_dimensions(M, n_components=100, *, power=0.0, n_iter=5, random_state=None):
    """Dense word vectors from a (sparse) word-context matrix by truncated SVD.

    ``M ~ U diag(S) V^T`` keeps the ``n_components`` largest singular values,
    computed with scikit-learn's randomized SVD (Halko et al., 2011), which
    costs about ``O(nnz(M) * n_components)`` instead of the ``O(V^3)`` of a
    full SVD. The word vectors are ``U * S**power``.

    Parameters
    ----------
    M : scipy sparse matrix or array-like of shape (V, n_contexts)
        E.g. the output of :func:`ppmi`.
    n_components : int, default=100
        Dimension of the word vectors; below ``min(M.shape)``.
    power : float, default=0.0
        Weight of the singular values. 0 (``U`` alone, as in Levy et al.,
        2015, who found it better than 1 on similarity tasks) treats all
        dimensions alike; 1 gives the usual projection ``U * S``.
    n_iter : int, default=5
        Power iterations of the randomized SVD; more is more accurate.
    random_state : int or None, default=None
        Seed of the randomized SVD.

    Returns
    -------
    ndarray of shape (V, n_components), dtype float64

    References
    ----------
    Halko, N., Martinsson, P. G. & Tropp, J. A. (2011). Finding structure
    with randomness. *SIAM Review*, 53(2).
    Levy, O., Goldberg, Y. & Dagan, I. (2015). Improving distributional
    similarity with lessons learned from word embeddings. *TACL*, 3.

    Examples
    --------
    >>> from tsforecast.nlp import create_co_matrix, ppmi, preprocess, reduce_dimensions
    >>> corpus, word_to_id, _ = preprocess("You say goodbye and I say hello.")
    >>> W = ppmi(create_co_matrix(corpus, len(word_to_id)))
    >>> reduce_dimensions(W, n_components=2, random_state=0).shape
    (7, 2)
    """
    from sklearn.utils.extmath import randomized_svd

    if not sp.issparse(M):
        M = np.asarray(M, dtype=np.float64)
        if M.ndim != 2:
            raise ValueError(f"reduce_dimensions expects a 2-D matrix. Got shape {M.shape} "
                             f"instead.")
    check_int("reduce_dimensions", "n_components", n_components)
    if n_components >= min(M.shape):
        raise ValueError(
            f"The 'n_components' parameter of reduce_dimensions must be below min(M.shape) "
            f"= {min(M.shape)} for a truncated SVD. Got {n_components} instead. Pass fewer "
            f"components."
        )
    check_float("reduce_dimensions", "power", power, low=-float("inf"), high=float("inf"),
                low_open=True, high_open=True)
    check_int("reduce_dimensions", "n_iter", n_iter, minimum=0)
    if random_state is not None and not isinstance(random_state, numbers.Integral):
        raise ValueError(f"The 'random_state' parameter of reduce_dimensions must be None or "
                         f"an int. Got {random_state!r} instead.")
    U, S, _ = randomized_svd(M, n_components, n_iter=n_iter, random_state=random_state)
    return U * S**power if power else U
