#!/usr/bin/env bash
# System packages the tests need: WordNet 3.0 from Debian's wordnet-base (for
# tsforecast.nlp.wordnet; no trustworthy PyPI package ships it). Installs with
# apt when run as root, and otherwise says what to run.
set -u
if dpkg -s wordnet-base >/dev/null 2>&1 || [ -n "${TSFORECAST_WORDNET:-}" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing wordnet-base (WordNet 3.0 data) with apt-get..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wordnet-base) \
    >/dev/null || echo "warning: apt-get could not install wordnet-base" >&2
else
  echo "note: WordNet data not found; install it with 'sudo apt-get install wordnet-base'" \
       "or point TSFORECAST_WORDNET at a WordNet 3.0 dict directory." >&2
fi
exit 0
