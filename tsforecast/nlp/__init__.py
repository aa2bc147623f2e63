"""Text models and word meaning: thesaurus, count-based vectors and word2vec.

``tsforecast.nlp`` is optional: the forecasting core never imports it. It
needs the ``nlp`` extra (``pip install tsforecast[nlp]``: NLTK and SciPy).

- :mod:`tsforecast.nlp.wordnet`: WordNet 3.0 synsets, synonyms, hypernyms and
  path similarity through NLTK, read from the system's WordNet files.
- Counting: :func:`preprocess`, :func:`create_co_matrix`, :func:`ppmi`,
  :func:`reduce_dimensions`.
- Vectors: :func:`cos_similarity`, :func:`most_similar`, :func:`analogy`.
- word2vec: :class:`CBOW` and :class:`SkipGram`; :func:`save_word2vec_format` and
  :func:`load_word2vec_format` for the text format other tools read.
- Sequence labelling: :class:`CTCLabeller` (CTC loss, best-path and prefix
  beam search decoding; see :mod:`tsforecast.nlp.ctc`).
- Seq2seq: :class:`Seq2Seq` (encoder-decoder with attention over characters or
  words), decoded by :mod:`tsforecast.nlp.decoding` (greedy and beam search).
- Language models: :class:`RNNLM` (words or characters; perplexity, sampling).
- Data: :func:`tsforecast.nlp.datasets.load_ptb`, ``load_tiny_shakespeare``,
  ``load_addition``, ``load_date``.
"""

from .count import create_co_matrix, ppmi, reduce_dimensions
from .ctc import CTCLabeller
from .language_model import RNNLM
from .seq2seq import Seq2Seq
from .similarity import analogy, cos_similarity, most_similar
from .text import encode, preprocess, tokenize
from .word2vec import CBOW, SkipGram, load_word2vec_format, save_word2vec_format

__all__ = [
    "preprocess",
    "tokenize",
    "encode",
    "create_co_matrix",
    "ppmi",
    "reduce_dimensions",
    "cos_similarity",
    "most_similar",
    "analogy",
    "CBOW",
    "SkipGram",
    "save_word2vec_format",
    "load_word2vec_format",
    "CTCLabeller",
    "Seq2Seq",
    "RNNLM",
]
