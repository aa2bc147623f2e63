"""Text models and word meaning: thesaurus, count-based vectors and word2vec.

``tsforecast.nlp`` is optional: the forecasting core never imports it. It
needs the ``nlp`` extra (``pip install tsforecast[nlp]``: NLTK and SciPy).

- :mod:`tsforecast.nlp.wordnet`: WordNet 3.0 synsets, synonyms, hypernyms and
  path similarity through NLTK, read from the system's WordNet files.
- Counting: :func:`preprocess`, :func:`create_co_matrix`, :func:`ppmi`,
  :func:`reduce_dimensions`.
- Vectors: :func:`cos_similarity`, :func:`most_similar`, :func:`analogy`.
- Tokens and vocabularies: :func:`tokenize` and :class:`Vocabulary`, the one
  tokeniser and vocabulary of every text model.
- word2vec: :class:`Word2Vec` (``architecture="skipgram"`` or ``"cbow"``), also as
  :class:`CBOW` and :class:`SkipGram`; :func:`save_word2vec_format` and
  :func:`load_word2vec_format` for the text format other tools read.
- Classification: :class:`SentimentClassifier` (texts to classes: recurrent or
  convolutional encoder, pooled or attention summary).
- Sequence labelling: :class:`CTCLabeller` (CTC loss, best-path and prefix
  beam search decoding; see :mod:`tsforecast.nlp.ctc`).
- Seq2seq: :class:`Seq2Seq` (encoder-decoder with attention over characters or
  words), decoded by :mod:`tsforecast.nlp.decoding` (greedy and beam search).
- Language models: :class:`RNNLM` (words or characters; perplexity, sampling).
- Data: :func:`tsforecast.nlp.datasets.load_ptb`, ``load_tiny_shakespeare``,
  ``load_addition``, ``load_date``, ``load_sentence_polarity`` (from a local copy).

Every trainable text model is built on :class:`tsforecast.nlp._base.TextEstimator`
and listed in ``NLP_ESTIMATORS``, the registry the common tests in
``tests/nlp/test_common.py`` run over.
"""

from .count import create_co_matrix, ppmi, reduce_dimensions
from .ctc import CTCLabeller
from .language_model import RNNLM
from .sentiment import SentimentClassifier
from .seq2seq import Seq2Seq
from .similarity import analogy, cos_similarity, most_similar
from .text import encode, preprocess
from .vocab import Vocabulary, tokenize
from .word2vec import CBOW, SkipGram, Word2Vec, load_word2vec_format, save_word2vec_format

#: Every trainable text model; the common tests (tests/nlp/test_common.py) run over it.
NLP_ESTIMATORS = (RNNLM, Seq2Seq, CTCLabeller, Word2Vec, CBOW, SkipGram, SentimentClassifier)

__all__ = [
    "preprocess",
    "tokenize",
    "encode",
    "Vocabulary",
    "create_co_matrix",
    "ppmi",
    "reduce_dimensions",
    "cos_similarity",
    "most_similar",
    "analogy",
    "Word2Vec",
    "CBOW",
    "SkipGram",
    "save_word2vec_format",
    "load_word2vec_format",
    "CTCLabeller",
    "Seq2Seq",
    "RNNLM",
    "SentimentClassifier",
    "NLP_ESTIMATORS",
]
