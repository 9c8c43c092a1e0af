"""The figure lists shared by compare.py and torch_peer.py (figures-cpu.txt, figures-gpu.txt).

A figure is written kind:key=value,..., e.g. knn:q=2000,n=8000,d=128,k=10; a list file holds one
per line, followed by its target, with '#' comments. PeerFigures (Java) reads the same files.
"""


def parse_figure(text):
    """'knn:q=2000,k=10' -> ('knn', {'q': '2000', 'k': '10'}); ValueError names the bad part."""
    text = text.strip()
    kind, _, rest = text.partition(":")
    if not kind:
        raise ValueError(f"figure '{text}' has no kind, expected e.g. pairwise:n=1024,d=128")
    params = {}
    for pair in filter(None, rest.split(",")):
        key, eq, value = pair.partition("=")
        if not eq or not key or not value:
            raise ValueError(f"figure '{text}': '{pair}' is not key=value")
        params[key.strip()] = value.strip()
    return kind, params


def read_figures_file(path):
    """[(figure text, target text)] from a list file; the target is '-' when absent."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            words = line.split("#", 1)[0].split()
            if not words:
                continue
            try:
                parse_figure(words[0])
            except ValueError as e:
                raise ValueError(f"{path} line {line_no}: {e}") from None
            out.append((words[0], words[1] if len(words) > 1 else "-"))
    return out


def int_param(text, params, key, default=None):
    """The whole-number parameter key of figure text; ValueError when absent or bad."""
    value = params.get(key)
    if value is None:
        if default is None:
            raise ValueError(f"figure '{text}' lacks {key}=...")
        return default
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"figure '{text}': {key}={value}, expected a whole number >= 1")
    return int(value)
