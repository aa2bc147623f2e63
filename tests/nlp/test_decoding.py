"""Greedy and beam search: exact scores, never worse than greedy, exhaustive at full width."""

import itertools

import pytest
import torch

from tsforecast.nlp.decoding import beam_search, greedy_search
from tsforecast.nlp.seq2seq import Seq2SeqNet

START, END = 1, 2


def random_model(seed, target_size=6, attention="additive", hidden_size=8):
    """An untrained network: its next-token distributions are random but fixed."""
    torch.manual_seed(seed)
    net = Seq2SeqNet(7, target_size, embedding_size=4, hidden_size=hidden_size,
                     attention=attention).eval()
    # larger output weights give peaked, varied distributions, where the searches differ
    with torch.no_grad():
        net.out.weight.mul_(6.0)
    source = torch.randint(3, 7, (5, 4))
    lengths = torch.tensor([4, 3, 4, 2, 1])
    return net, net.encode(source, lengths), source, lengths


def step_of(net):
    def step(state, tokens):
        logits, state, _ = net.decode_step(state, tokens)
        return torch.log_softmax(logits, dim=-1), state
    return step


def sequence_log_prob(net, source, lengths, tokens, max_length):
    """Log-probability of ``tokens`` (and of the end token below max_length), teacher-forced."""
    full = tokens + ([END] if len(tokens) < max_length else [])
    target_in = torch.tensor([[START, *full[:-1]]])
    logits = net(source, lengths, target_in)
    return torch.log_softmax(logits, -1)[0, torch.arange(len(full)), full].sum().item()


@pytest.mark.parametrize("attention", [None, "additive"])
def test_beam_never_less_probable_than_greedy(attention):
    for seed in range(30):
        net, state, source, lengths = random_model(seed, attention=attention)
        start = torch.full((len(source),), START)
        g_seqs, g_logp = greedy_search(step_of(net), state, start, END, 6)
        for width in (2, 3, 5):
            b_seqs, b_logp = beam_search(step_of(net), state, start, END, 6, beam_width=width)
            assert (b_logp >= g_logp - 1e-6).all(), (seed, width)


def test_reported_log_probs_are_the_model_probabilities_of_the_sequences():
    net, state, source, lengths = random_model(3)
    start = torch.full((len(source),), START)
    for width in (1, 4):
        seqs, logp = beam_search(step_of(net), state, start, END, 6, beam_width=width)
        for b, seq in enumerate(seqs):
            assert END not in seq
            expected = sequence_log_prob(net, source[b:b + 1], lengths[b:b + 1], seq, 6)
            assert logp[b].item() == pytest.approx(expected, abs=1e-5)


def test_beam_width_one_is_greedy():
    for seed in range(10):
        net, state, source, _ = random_model(seed)
        start = torch.full((len(source),), START)
        g = greedy_search(step_of(net), state, start, END, 7)
        b = beam_search(step_of(net), state, start, END, 7, beam_width=1)
        assert b[0] == g[0]
        torch.testing.assert_close(b[1], g[1])


def test_full_width_beam_finds_the_most_probable_sequence_by_enumeration():
    max_length, vocab = 3, 5  # tokens 0..4; 2 ends a sequence
    net, state, source, lengths = random_model(11, target_size=vocab)
    start = torch.full((len(source),), START)
    seqs, logp = beam_search(step_of(net), state, start, END, max_length,
                             beam_width=vocab ** max_length)
    others = [t for t in range(vocab) if t != END]
    candidates = [list(p) for n in range(max_length + 1)
                  for p in itertools.product(others, repeat=n)]
    for b in range(len(source)):
        scores = [sequence_log_prob(net, source[b:b + 1], lengths[b:b + 1], c, max_length)
                  for c in candidates]
        best = max(range(len(candidates)), key=scores.__getitem__)
        assert seqs[b] == candidates[best]
        assert logp[b].item() == pytest.approx(scores[best], abs=1e-5)


def test_a_batch_decodes_as_its_sources_one_by_one():
    net, state, source, lengths = random_model(5)
    start = torch.full((len(source),), START)
    seqs, logp = beam_search(step_of(net), state, start, END, 6, beam_width=3)
    for b in range(len(source)):
        one = net.encode(source[b:b + 1, :int(lengths[b])], lengths[b:b + 1])
        s, lp = beam_search(step_of(net), one, start[:1], END, 6, beam_width=3)
        assert s[0] == seqs[b]
        assert lp[0].item() == pytest.approx(logp[b].item(), abs=1e-5)


def test_sequences_stop_at_the_end_token_or_max_length():
    def step(state, tokens):  # always prefers token 3, ends second-best
        return torch.log(torch.tensor([[0.05, 0.05, 0.3, 0.6]])).expand(len(tokens), -1), state
    seqs, logp = greedy_search(step, torch.zeros(2, 1), torch.tensor([1, 1]), END, 4)
    assert seqs == [[3, 3, 3, 3]] * 2
    assert logp.tolist() == pytest.approx([4 * torch.log(torch.tensor(0.6)).item()] * 2)
    seqs, logp = beam_search(step, torch.zeros(1, 1), torch.tensor([1]), END, 4, beam_width=2)
    assert seqs == [[]] and logp.item() == pytest.approx(torch.log(torch.tensor(0.3)).item())


def test_bad_arguments_are_reported():
    step = lambda state, tokens: (torch.zeros(len(tokens), 3), state)  # noqa: E731
    with pytest.raises(ValueError, match="max_length must be a positive int; got 0"):
        greedy_search(step, torch.zeros(1), torch.tensor([1]), END, 0)
    with pytest.raises(ValueError, match="beam_width must be a positive int; got 0"):
        beam_search(step, torch.zeros(1), torch.tensor([1]), END, 3, beam_width=0)
    with pytest.raises(ValueError, match="start_tokens must be a 1-D tensor"):
        greedy_search(step, torch.zeros(1), torch.tensor([[1]]), END, 3)
