"""Recurrent language models over words or characters, trained with truncated BPTT.

:class:`RNNLM` predicts each token of a text from the tokens before it: an
embedding, the stacked LSTM/GRU layers of :mod:`tsforecast.models` and a
decoder onto the vocabulary (optionally sharing the embedding's weights). It
trains through the library's one Lightning module on *stateful* mini-batches:
the corpus is cut into ``batch_size`` streams read in parallel, each batch is
the next ``bptt`` tokens of every stream, the hidden state is carried from one
batch to the next and detached there, so gradients stop at each chunk
(truncated back-propagation through time).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn import functional as F

from .._atomic import atomic_fit
from .._persistence import (
    EPOCH,
    HISTORY,
    STRINGS,
    fitted_schema,
    load_estimator,
    restore_network,
    save_estimator,
)
from .._training import VAL_LOSS, TrainingModule, resolve_verbose, train_network
from ..models.recurrent import recurrent_stack
from ..utils.validation import (
    check_bool,
    check_dict,
    check_float,
    check_int,
    check_options,
    check_random_state,
)

__all__ = ["LanguageModelNet", "RNNLM"]

_FITTED = fitted_schema(vocabulary=STRINGS, history=HISTORY, best_epoch=EPOCH)

EOS, UNK = "<eos>", "<unk>"
UNITS = ("word", "char")
CELLS = ("lstm", "gru")
OPTIMIZERS = ("sgd", "adam")


class LanguageModelNet(nn.Module):
    """Embedding, stacked recurrent layers and a decoder onto the vocabulary.

    Inputs: ``tokens`` (B, L) token ids and the recurrent ``state`` carried
    from the previous chunk (None starts from zeros).
    Outputs: ``logits`` (B, L, V) of the next token at each position, and the
    final state (``(h, c)`` for an LSTM, ``h`` for a GRU, each
    (n_layers, B, D)).

    Dropout acts on the embeddings, between recurrent layers and on the top
    layer's outputs (Zaremba et al., 2014). With ``tie_weights`` the decoder's
    weight *is* the embedding matrix (Press & Wolf, 2017; Inan et al., 2017),
    which needs ``embedding_size == hidden_size``.
    """

    def __init__(self, vocab_size, *, embedding_size=200, hidden_size=200, n_layers=2,
                 cell="lstm", dropout=0.2, tie_weights=True):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_size)
        self.rnn = recurrent_stack(embedding_size, hidden_size, n_layers, cell=cell,
                                   dropout=dropout)
        self.dropout = nn.Dropout(dropout)
        self.decoder = nn.Linear(hidden_size, vocab_size)
        # small uniform weights, as the PTB baselines (Zaremba et al., 2014)
        nn.init.uniform_(self.embedding.weight, -0.1, 0.1)
        nn.init.zeros_(self.decoder.bias)
        if tie_weights:
            self.decoder.weight = self.embedding.weight
        else:
            nn.init.uniform_(self.decoder.weight, -0.1, 0.1)

    def forward(self, tokens, state=None):
        x = self.dropout(self.embedding(tokens))  # -> (B, L, E)
        out, state = self.rnn(x, state)  # -> (B, L, D)
        return self.decoder(self.dropout(out)), state  # -> (B, L, V)


def _detach(state):
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


class _StreamChunks(torch.utils.data.Dataset):
    """Consecutive ``bptt``-token chunks of ``n_streams`` parallel streams of a corpus.

    The corpus (N,) is cut into ``n_streams`` equal streams, stream ``k``
    starting at offset ``k * n`` (``n = N // n_streams``; the last
    ``N mod n_streams`` tokens are dropped). Item ``i`` is ``(x, y)``, both
    (n_streams, l): tokens ``[i * bptt, i * bptt + l)`` of every stream and the
    tokens one step later (``l = bptt`` except for a shorter last chunk). Read
    in order, item ``i + 1`` continues item ``i`` in every row.
    """

    def __init__(self, ids, n_streams, bptt):
        n = len(ids) // n_streams
        self.data = torch.as_tensor(np.asarray(ids[:n * n_streams], dtype=np.int64))
        self.data = self.data.view(n_streams, n)
        self.bptt = bptt
        self.n_chunks = max(0, -(-(n - 1) // bptt))

    def __len__(self):
        return self.n_chunks

    def __getitem__(self, i):
        start = i * self.bptt
        stop = min(start + self.bptt, self.data.shape[1] - 1)
        return self.data[:, start:stop], self.data[:, start + 1:stop + 1]


class _StatefulTraining(TrainingModule):
    """:class:`TrainingModule` for truncated BPTT: the state flows across ordered chunks.

    The training state starts from zeros at each epoch and the validation
    state at each validation run; after every chunk it is detached, so the
    gradient of a chunk's loss stops at the chunk's first step. The loss is
    the mean cross-entropy per token, and each chunk counts by its number of
    tokens in the epoch means, so ``exp(val_loss)`` is the perplexity of the
    validation streams.
    """

    def __init__(self, network, *, optimizer, learning_rate, lr_decay):
        super().__init__(network, loss=nn.CrossEntropyLoss(), learning_rate=learning_rate)
        self.optimizer_name = optimizer
        self.plateau_factor = lr_decay
        self.monitor_validation = False
        self._state = self._val_state = None

    def _loss(self, batch, training=False):
        tokens, target = batch
        state = self._state if training else self._val_state
        logits, state = self.network(tokens, state)
        if training:
            self._state = _detach(state)
        else:
            self._val_state = _detach(state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))
        return loss, target.numel()

    def on_train_epoch_start(self):
        super().on_train_epoch_start()
        self._state = None

    def on_validation_epoch_start(self):
        self._val_state = None

    def configure_optimizers(self):
        params = self.network.parameters()
        if self.optimizer_name == "sgd":
            optimizer = torch.optim.SGD(params, lr=self.learning_rate)
        else:
            optimizer = torch.optim.Adam(params, lr=self.learning_rate)
        if self.plateau_factor is None or not self.monitor_validation:
            return optimizer
        # patience 0: decay after the first epoch that does not improve the validation loss
        schedule = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="min", factor=self.plateau_factor, patience=0)
        return {"optimizer": optimizer,
                # not strict: an epoch cut short (Trainer max_time) may end before validating
                "lr_scheduler": {"scheduler": schedule, "monitor": VAL_LOSS,
                                 "interval": "epoch", "strict": False}}


def _tokens(text, unit, name, what="text"):
    """Text (str, or list of lines) as a list of tokens of ``unit``."""
    if isinstance(text, str):
        lines = None
    elif isinstance(text, Sequence) and all(isinstance(line, str) for line in text):
        lines = list(text)
    else:
        raise TypeError(
            f"{name} expects {what} as a str or a list of str (lines). Got "
            f"{type(text).__name__} instead."
        )
    if unit == "char":
        return list(text if lines is None else "".join(line + "\n" for line in lines))
    if lines is None:
        lines = text.splitlines()
    # Penn Treebank's convention: whitespace tokens, "<eos>" after every (non-blank) line
    return [t for line in lines if line.strip() for t in (*line.split(), EOS)]


class RNNLM(BaseEstimator):
    """Recurrent neural network language model over words or characters.

    The model reads a text token by token and predicts the next one: an
    embedding, ``n_layers`` LSTM or GRU layers (the recurrent stacks of
    :mod:`tsforecast.models`), dropout, and a decoder onto the vocabulary whose
    weight can be tied to the embedding. Training uses truncated
    back-propagation through time on stateful mini-batches: the token stream
    is cut into ``batch_size`` parallel streams, each step reads the next
    ``bptt`` tokens of every stream, carries the hidden state over from the
    previous step and stops the gradient there. Gradients are clipped to norm
    ``clip``; the learning rate is multiplied by ``lr_decay`` after each epoch
    that does not improve the validation loss, and training stops after
    ``patience`` such epochs, keeping the best validation weights.

    With ``unit="word"`` tokens are the whitespace-separated words and
    ``"<eos>"`` ends each line (the Penn Treebank convention); with
    ``unit="char"`` every character, newlines included, is a token.

    Parameters
    ----------
    unit : {"word", "char"}, default="word"
        Token unit.
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell.
    embedding_size : int, default=200
        Dimension of the token embeddings.
    hidden_size : int, default=200
        Units per recurrent layer.
    n_layers : int, default=2
        Stacked recurrent layers.
    dropout : float, default=0.2
        Dropout on the embeddings, between recurrent layers and before the decoder.
    tie_weights : bool, default=True
        Share one matrix between the embedding and the decoder (needs
        ``embedding_size == hidden_size``).
    bptt : int, default=35
        Tokens per training chunk: the truncation length of back-propagation.
    optimizer : {"sgd", "adam"}, default="sgd"
        Plain SGD (the classic recipe, with a large learning rate) or Adam.
    clip : float or None, default=0.25
        Largest gradient norm; None does not clip.
    lr_decay : float or None, default=0.25
        Learning-rate factor after an epoch without validation improvement;
        None keeps the rate constant (it is also constant without validation).

    Other Parameters
    ----------------
    learning_rate : float, default=20.0
        Step size of the optimizer (20 suits SGD; use about 2e-3 with Adam).
    batch_size : int, default=20
        Parallel token streams per step.
    max_epochs : int, default=10
        Passes over the training text.
    patience : int or None, default=3
        Early-stopping patience on the validation loss; None disables.
    random_state : int or None, default=None
        Seed of the initial weights and dropout.
    verbose : bool or None, default=None
        Progress bar; None shows it when standard error is a terminal.
    trainer_kwargs : dict or None, default=None
        Extra ``pytorch_lightning.Trainer`` arguments.

    Attributes
    ----------
    vocabulary_ : list of str
        The tokens, most frequent first.
    token_to_id_ : dict of str to int
        Id of each token.
    network_ : LanguageModelNet
        The trained network.
    history_ : list of dict
        Per epoch: ``epoch``, ``train_loss`` and, with validation text,
        ``val_loss`` (mean cross-entropy per token in nats; the perplexity is
        its exponential).
    best_epoch_ : int or None
        Epoch whose weights were kept (None without validation text).

    See Also
    --------
    tsforecast.models.recurrent.recurrent_stack : The recurrent layers it uses.
    tsforecast.nlp.datasets.load_ptb : Penn Treebank (its sentences are the lines).
    tsforecast.nlp.datasets.load_tiny_shakespeare : Text for character models.

    References
    ----------
    Mikolov, T., Karafiát, M., Burget, L., Černocký, J. & Khudanpur, S. (2010).
    Recurrent neural network based language model. *Interspeech*.
    Zaremba, W., Sutskever, I. & Vinyals, O. (2014). Recurrent neural network
    regularization. arXiv:1409.2329.
    Press, O. & Wolf, L. (2017). Using the output embedding to improve language
    models. *EACL*.
    Karpathy, A. (2015). The unreasonable effectiveness of recurrent neural
    networks (char-rnn).

    Examples
    --------
    >>> from tsforecast.nlp import RNNLM
    >>> text = "the cat sat on the mat\\nthe dog sat on the log\\n" * 20
    >>> lm = RNNLM(embedding_size=16, hidden_size=16, bptt=8, batch_size=4, max_epochs=1,
    ...            random_state=0, trainer_kwargs={"accelerator": "cpu"}).fit(text)
    >>> lm.vocabulary_[:3]
    ['the', 'sat', 'on']
    >>> lm.perplexity("the cat sat on the log") < len(lm.vocabulary_)
    True
    >>> sample = lm.generate("the", n=5, random_state=0)  # "<eos>" comes back as "\\n"
    >>> isinstance(sample, str)
    True
    """

    def __init__(self, unit="word", *, cell="lstm", embedding_size=200, hidden_size=200,
                 n_layers=2, dropout=0.2, tie_weights=True, bptt=35, optimizer="sgd",
                 clip=0.25, lr_decay=0.25, learning_rate=20.0, batch_size=20, max_epochs=10,
                 patience=3, random_state=None, verbose=None, trainer_kwargs=None):
        self.unit = unit
        self.cell = cell
        self.embedding_size = embedding_size
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.dropout = dropout
        self.tie_weights = tie_weights
        self.bptt = bptt
        self.optimizer = optimizer
        self.clip = clip
        self.lr_decay = lr_decay
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.random_state = random_state
        self.verbose = verbose
        self.trainer_kwargs = trainer_kwargs

    # ------------------------------------------------------------------ fit
    def _check_params(self):
        check_options(self, "unit", self.unit, UNITS)
        check_options(self, "cell", self.cell, CELLS)
        check_int(self, "embedding_size", self.embedding_size)
        check_int(self, "hidden_size", self.hidden_size)
        check_int(self, "n_layers", self.n_layers)
        check_float(self, "dropout", self.dropout, low=0.0, high=1.0, high_open=True)
        check_bool(self, "tie_weights", self.tie_weights)
        check_int(self, "bptt", self.bptt)
        check_options(self, "optimizer", self.optimizer, OPTIMIZERS)
        check_float(self, "clip", self.clip, low=0.0, high=math.inf, low_open=True,
                    high_open=True, allow_none=True)
        check_float(self, "lr_decay", self.lr_decay, low=0.0, high=1.0, low_open=True,
                    high_open=True, allow_none=True)
        check_float(self, "learning_rate", self.learning_rate, low=0.0, high=math.inf,
                    low_open=True, high_open=True)
        check_int(self, "batch_size", self.batch_size)
        check_int(self, "max_epochs", self.max_epochs)
        check_int(self, "patience", self.patience, allow_none=True)
        check_random_state(self, self.random_state)
        check_bool(self, "verbose", self.verbose, allow_none=True)
        check_dict(self, "trainer_kwargs", self.trainer_kwargs)
        if self.tie_weights and self.embedding_size != self.hidden_size:
            raise ValueError(
                f"RNNLM with tie_weights=True shares one matrix between the embedding and "
                f"the decoder, so 'embedding_size' must equal 'hidden_size'. Got "
                f"embedding_size={self.embedding_size} and hidden_size={self.hidden_size}; "
                f"make them equal or set tie_weights=False."
            )

    @atomic_fit
    def fit(self, text, validation=None):
        """Train the language model on ``text``, from scratch.

        Parameters
        ----------
        text : str or list of str
            The training text, or its lines. Words: whitespace-separated
            tokens, ``"<eos>"`` after each line. Characters: every character
            (a list of lines is joined with newlines).
        validation : str or list of str or None, default=None
            Held-out text for the learning-rate decay, early stopping and the
            choice of the best epoch. Tokens missing from the training
            vocabulary become ``"<unk>"`` if the vocabulary has it.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._check_params()
        tokens = _tokens(text, self.unit, "RNNLM.fit")
        codes, uniques = pd.factorize(np.asarray(tokens, dtype=object))
        min_tokens = self.batch_size * 2
        if len(tokens) < min_tokens or len(uniques) < 2:
            raise ValueError(
                f"RNNLM needs at least 2 distinct tokens and batch_size * 2 = {min_tokens} "
                f"tokens to train on ({self.batch_size} streams of 2 or more), but the text "
                f"has {len(tokens)} tokens, {len(uniques)} distinct. Pass a longer text or "
                f"lower 'batch_size'."
            )
        counts = np.bincount(codes, minlength=len(uniques))
        order = np.argsort(-counts, kind="stable")  # most frequent first, ties by appearance
        new_id = np.empty(len(order), dtype=np.int64)
        new_id[order] = np.arange(len(order))
        vocabulary = [str(uniques[i]) for i in order]
        token_to_id = {t: i for i, t in enumerate(vocabulary)}
        ids = new_id[codes]
        val_ids = None
        if validation is not None:
            val_tokens = _tokens(validation, self.unit, "RNNLM.fit", "validation")
            if len(val_tokens) < 2:
                raise ValueError(
                    f"RNNLM scores each validation token from the ones before it, so the "
                    f"validation text needs at least 2 tokens. Got {len(val_tokens)}. Pass a "
                    f"longer text or validation=None."
                )
            val_ids = self._encode(val_tokens, token_to_id, "The validation text")

        seed = (self.random_state if self.random_state is not None
                else int(np.random.SeedSequence().generate_state(1)[0]))
        verbose = resolve_verbose(self.verbose)
        train_loader = torch.utils.data.DataLoader(
            _StreamChunks(ids, self.batch_size, self.bptt), batch_size=None, shuffle=False)
        val_loader = None
        if val_ids is not None:
            n_streams = max(1, min(self.batch_size, (len(val_ids) - 1) // 2))
            val_loader = torch.utils.data.DataLoader(
                _StreamChunks(val_ids, n_streams, self.bptt), batch_size=None, shuffle=False)
        trainer_kwargs = {"gradient_clip_val": self.clip, **(self.trainer_kwargs or {})}
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            network = self._make_network(len(vocabulary))
            module = _StatefulTraining(network, optimizer=self.optimizer,
                                       learning_rate=self.learning_rate,
                                       lr_decay=self.lr_decay)
            module.monitor_validation = val_loader is not None
            self.history_, self.best_epoch_ = train_network(
                module, train_loader, val_loader, max_epochs=self.max_epochs,
                patience=self.patience, verbose=verbose, trainer_kwargs=trainer_kwargs)
        self.network_ = network.cpu().eval()
        self.vocabulary_ = vocabulary
        self.token_to_id_ = token_to_id
        return self

    def _make_network(self, vocab_size):
        return LanguageModelNet(vocab_size, embedding_size=self.embedding_size,
                                hidden_size=self.hidden_size, n_layers=self.n_layers,
                                cell=self.cell, dropout=self.dropout,
                                tie_weights=self.tie_weights)

    def _encode(self, tokens, token_to_id, what):
        unk = token_to_id.get(UNK)
        ids = np.fromiter((token_to_id.get(t, -1) for t in tokens), dtype=np.int64,
                          count=len(tokens))
        missing = ids < 0
        if missing.any():
            if unk is None:
                unknown = list(dict.fromkeys(np.asarray(tokens, dtype=object)[missing]))
                shown = ", ".join(repr(t) for t in unknown[:10])
                more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
                raise ValueError(
                    f"{what} has {len(unknown)} {self.unit}(s) that are not in the vocabulary "
                    f"of this RNNLM ({shown}{more}), which has no '<unk>' token to stand for "
                    f"them. Use only known tokens, or fit on a text where rare words are "
                    f"replaced by '<unk>' (as Penn Treebank does)."
                )
            ids[missing] = unk
        return ids

    # ------------------------------------------------------------------ scoring
    def loss_per_token(self, text):
        """Mean negative log-likelihood of the tokens of ``text``, in nats per token.

        The text is read as one stream, in chunks of ``bptt`` tokens with the
        state carried across; every token but the first (which has no
        context) is scored. For ``unit="char"`` this is the loss in nats per
        character (divide by ``ln 2`` for bits per character).

        Parameters
        ----------
        text : str or list of str
            At least two tokens.

        Returns
        -------
        float
        """
        check_is_fitted(self)
        tokens = _tokens(text, self.unit, "RNNLM.loss_per_token")
        if len(tokens) < 2:
            raise ValueError(
                f"RNNLM scores each token from the ones before it, so the text needs at least "
                f"2 tokens. Got {len(tokens)}. Pass a longer text."
            )
        ids = torch.as_tensor(self._encode(tokens, self.token_to_id_, "The text"))
        network = self.network_.eval()
        total, state = 0.0, None
        with torch.no_grad():
            for start in range(0, len(ids) - 1, self.bptt):
                stop = min(start + self.bptt, len(ids) - 1)
                logits, state = network(ids[None, start:stop], state)
                total += F.cross_entropy(logits[0], ids[start + 1:stop + 1],
                                         reduction="sum").item()
        return total / (len(ids) - 1)

    def perplexity(self, text):
        """Perplexity of ``text``: ``exp`` of the mean negative log-likelihood per token.

        The average branching factor the model sees: a model that guessed
        uniformly among ``V`` tokens has perplexity ``V``. See
        :meth:`loss_per_token` for how the text is read.

        Parameters
        ----------
        text : str or list of str

        Returns
        -------
        float
        """
        return math.exp(self.loss_per_token(text))

    # ------------------------------------------------------------------ sampling
    def generate(self, prompt="", n=20, *, temperature=1.0, top_k=None, random_state=None):
        """Sample ``n`` tokens that continue ``prompt``.

        At each step the next token is drawn from ``softmax(logits /
        temperature)``, restricted to the ``top_k`` most likely tokens if
        given, and fed back as the next input. Lower temperatures give safer,
        more repetitive text; ``top_k=1`` is greedy decoding.

        Parameters
        ----------
        prompt : str, default=""
            Text to condition on. Empty: words start a new sentence (after
            ``"<eos>"``), characters a new line.
        n : int, default=20
            Tokens to generate.
        temperature : float, default=1.0
            Positive divisor of the logits.
        top_k : int or None, default=None
            Sample only among the ``top_k`` most likely tokens.
        random_state : int or None, default=None
            Seed of the sampling.

        Returns
        -------
        str
            The generated continuation, without the prompt. Words are joined
            by spaces and ``"<eos>"`` becomes a line break.
        """
        check_is_fitted(self)
        check_int("RNNLM.generate", "n", n)
        check_float("RNNLM.generate", "temperature", temperature, low=0.0, high=math.inf,
                    low_open=True, high_open=True)
        check_int("RNNLM.generate", "top_k", top_k, allow_none=True)
        check_random_state("RNNLM.generate", random_state)
        if not isinstance(prompt, str):
            raise TypeError(f"RNNLM.generate expects the prompt as a str. Got "
                            f"{type(prompt).__name__} instead.")
        tokens = prompt.split() if self.unit == "word" else list(prompt)
        if not tokens:
            start = EOS if self.unit == "word" else "\n"
            if start not in self.token_to_id_:
                raise ValueError(
                    f"RNNLM.generate needs a prompt: an empty prompt starts after {start!r}, "
                    f"which is not in the vocabulary. Pass a non-empty prompt."
                )
            tokens = [start]
        ids = torch.as_tensor(self._encode(tokens, self.token_to_id_, "The prompt"))
        generator = torch.Generator().manual_seed(
            random_state if random_state is not None
            else int(np.random.SeedSequence().generate_state(1)[0]))
        network = self.network_.eval()
        out = []
        with torch.no_grad():
            logits, state = network(ids[None], None)
            for _ in range(n):
                scores = logits[0, -1] / temperature
                if top_k is not None and top_k < len(scores):
                    kth = torch.topk(scores, top_k).values[-1]
                    scores = scores.masked_fill(scores < kth, -math.inf)
                token = torch.multinomial(F.softmax(scores, dim=-1), 1, generator=generator)
                out.append(int(token))
                logits, state = network(token.view(1, 1), state)
        words = [self.vocabulary_[i] for i in out]
        if self.unit == "char":
            return "".join(words)
        lines = " ".join(words).split(EOS)
        return "\n".join(line.strip() for line in lines)

    # ------------------------------------------------------------------ persistence
    def save(self, path):
        """Save the fitted model to ``path`` (a zip of JSON metadata and weights; no pickle).

        Parameters
        ----------
        path : str or path-like
        """
        check_is_fitted(self)
        params = self.get_params()
        if params["trainer_kwargs"] is not None:
            params["trainer_kwargs"] = None  # may hold callbacks JSON cannot store
        fitted = {"vocabulary": self.vocabulary_, "history": self.history_,
                  "best_epoch": self.best_epoch_}
        save_estimator(self, path, fitted, self.network_.state_dict(), params=params)

    @classmethod
    def load(cls, path):
        """Load a model written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        RNNLM
            The fitted model (``trainer_kwargs`` is not stored and comes back None).

        Raises
        ------
        tsforecast.exceptions.ModelFileError
            If ``path`` is not a file written by ``RNNLM.save``.
        """
        est, fitted, state = load_estimator(cls, path, _FITTED)
        est.vocabulary_ = list(fitted["vocabulary"])
        est.token_to_id_ = {t: i for i, t in enumerate(est.vocabulary_)}
        est.history_ = fitted["history"]
        est.best_epoch_ = fitted["best_epoch"]
        network = est._make_network(len(est.vocabulary_))
        est.network_ = restore_network(network, state, path)
        return est
