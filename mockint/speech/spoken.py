"""Text as it should be spoken: jargon, identifiers, percentiles and units read the way engineers say them.

Both voices (piper and espeak-ng) get the same normalised text; the question is still shown as written.
"""

from __future__ import annotations

import re

# how engineers say these (checked by ear with both voices); matched as whole words, case-sensitive first
LEXICON = {
    "libuv": "lib U V", "PostgreSQL": "Postgres Q L", "Postgres": "Postgres", "MySQL": "My S Q L",
    "MikroORM": "Mikro O R M", "TypeORM": "Type O R M", "GraphQL": "Graph Q L", "PgBouncer": "P G Bouncer",
    "NestJS": "Nest J S", "BullMQ": "Bull M Q", "RabbitMQ": "Rabbit M Q", "ZeroMQ": "Zero M Q",
    "Redis": "Reddis", "nginx": "engine X", "NGINX": "engine X", "kubectl": "cube control", "k8s": "Kubernetes",
    "gRPC": "G R P C", "OAuth": "Oh Auth", "OAuth2": "Oh Auth two", "WebSocket": "Web Socket",
    "WebSockets": "Web Sockets", "Debezium": "Dee bee zee um", "npm": "N P M", "pnpm": "P N P M",
    "DataLoader": "Data Loader", "EntityManager": "Entity Manager", "RequestContext": "Request Context",
    "JSON": "Jason", "YAML": "yammel", "SQLite": "S Q Lite", "CI/CD": "C I C D", "I/O": "I O", "ID": "I D",
    "IDs": "I Ds", "UUID": "U U I D", "UUIDs": "U U I Ds", "JWT": "J W T", "JWTs": "J W Ts", "TTL": "T T L",
    "TTLs": "T T Ls", "SaaS": "sass", "ACID": "acid", "REST": "rest", "CRUD": "crud", "CORS": "cors",
    "OWASP": "oh wasp", "AWS": "A W S", "GCP": "G C P", "SQS": "S Q S", "SNS": "S N S", "S3": "S three",
    "EC2": "E C two", "PID": "pid", "GUI": "gooey", "NaN": "not a number", "vs": "versus", "vs.": "versus",
    "rps": "requests per second", "RPS": "requests per second", "QPS": "queries per second",
    "qps": "queries per second", "e.g.": "for example", "i.e.": "that is", "etc.": "et cetera",
    "p99": "p ninety-nine", "p95": "p ninety-five", "p50": "p fifty", "p90": "p ninety", "p999": "p three nines",
    "Node.js": "Node J S", "Next.js": "Next J S",
    "Express.js": "Express J S", "Vue.js": "Vue J S", "Nuxt.js": "Nuxt J S", "Deno": "Deeno",
}
# parts of identifiers (pg_stat_statements, UV_THREADPOOL_SIZE)
PARTS = {"pg": "P G", "uv": "U V", "db": "D B", "io": "I O", "id": "I D", "ids": "I Ds", "url": "U R L",
         "api": "A P I", "http": "H T T P", "max": "max", "min": "min", "num": "num"}
# all-caps words that are said as words, not spelled
SAID_AS_WORD = {"ACID", "REST", "CRUD", "CORS", "JSON", "YAML", "SAAS", "OWASP", "NASA", "RAM", "ROM", "LAN", "WAN",
                "SLA", "SLO", "SLI", "GDPR", "A", "I", "OK", "NAT", "CAP", "BASE", "SOLID", "DRY", "KISS", "WAL",
                "LIFO", "FIFO", "POSIX", "ASCII", "CRON", "MIME", "AJAX", "SOAP", "BRIN", "GIN", "GIST", "DAG", "CQRS"}
UNITS = {
    "ms": "milliseconds", "µs": "microseconds", "us": "microseconds", "ns": "nanoseconds", "s": "seconds",
    "sec": "seconds", "secs": "seconds", "min": "minutes", "mins": "minutes", "h": "hours", "hr": "hours",
    "KB": "kilobytes", "kB": "kilobytes", "MB": "megabytes", "GB": "gigabytes", "TB": "terabytes", "PB": "petabytes",
    "KiB": "kibibytes", "MiB": "mebibytes", "GiB": "gibibytes", "Kb": "kilobits", "Mb": "megabits",
    "Gb": "gigabits", "Gbps": "gigabits per second", "Mbps": "megabits per second", "rps": "requests per second",
    "RPS": "requests per second", "QPS": "queries per second", "qps": "queries per second",
    "TPS": "transactions per second", "k": "thousand", "K": "thousand", "M": "million", "x": "times",
    "GHz": "gigahertz", "MHz": "megahertz", "Hz": "hertz", "kHz": "kilohertz", "KHz": "kilohertz",
}
_SINGULAR = {"milliseconds": "millisecond", "seconds": "second", "minutes": "minute", "hours": "hour",
             "megabytes": "megabyte", "gigabytes": "gigabyte", "kilobytes": "kilobyte", "terabytes": "terabyte"}
_NUM = r"\d+(?:[.,]\d+)*"
_UNIT_ALT = "|".join(sorted(map(re.escape, UNITS), key=len, reverse=True))  # longest first: "secs" before "s"
_UNIT_RE = re.compile(rf"(?<![\w.])({_NUM})\s?({_UNIT_ALT})(?![\w/])")
_PERCENTILE_RE = re.compile(r"\b[pP](\d{2,3}(?:\.\d+)?)\b")
_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def _two_digits(n: int) -> str:
    if n < 20:
        return _ONES[n]
    return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])


def _percentile(m: re.Match) -> str:
    digits = m.group(1)
    if digits == "999":
        return "p three nines"
    if "." in digits:  # p99.9
        whole, frac = digits.split(".")
        return f"p {_two_digits(int(whole))} point {' '.join(_ONES[int(d)] for d in frac)}"
    n = int(digits)
    return f"p {_two_digits(n)}" if n < 100 else f"p {' '.join(_ONES[int(d)] for d in digits)}"


def _unit(m: re.Match) -> str:
    number, unit = m.group(1), m.group(2)
    word = UNITS[unit]
    if number in ("1", "1.0") and word in _SINGULAR:
        word = _SINGULAR[word]
    return f"{number} {word}"


def _spell(word: str) -> str:
    return " ".join(word)


def _identifier(word: str) -> str:
    """camelCase, snake_case, dotted.names and ALLCAPS said in parts."""
    parts = re.split(r"[_]+", word)
    out = []
    for p in parts:
        if not p:
            continue
        if p.lower() in PARTS:
            out.append(PARTS[p.lower()])
            continue
        if p.isupper() and len(p) >= 2 and p not in SAID_AS_WORD and p.isalpha():
            out.append(_spell(p) if len(p) <= 3 or not re.search("[AEIOU]", p) else p.lower())
            continue
        # camelCase / PascalCase boundaries, keeping acronyms together ("HTTPServer" -> HTTP Server)
        pieces = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", p)
        for piece in pieces or [p]:
            if piece.isupper() and 2 <= len(piece) <= 4 and piece not in SAID_AS_WORD:
                out.append(_spell(piece))
            else:
                out.append(piece)
    return " ".join(out)


_WORD_RE = re.compile(r"[A-Za-z][\w.+/#-]*[\w+#]|[A-Za-z]")


def _word(m: re.Match) -> str:
    w = m.group(0)
    if w in LEXICON:
        return LEXICON[w]
    if w.lower().endswith(".js") and len(w) > 3:
        return f"{_word_text(w[:-3])} J S"
    if "+" in w:
        return " ".join(_word_text(x) if x else "" for x in re.split(r"(\+)", w)).replace(" + ", " plus ") \
            .replace("+", " plus").strip()
    if "." in w.strip(".") and not re.fullmatch(r"[A-Za-z]\.([A-Za-z]\.)+", w):
        # process.nextTick -> process dot next Tick; a trailing full stop stays punctuation
        core, tail = (w[:-1], ".") if w.endswith(".") else (w, "")
        return " dot ".join(_word_text(x) for x in core.split(".")) + tail
    if "/" in w:
        return " ".join(_word_text(x) for x in w.split("/") if x)
    if "-" in w:
        return "-".join(_word_text(x) for x in w.split("-"))
    return _word_text(w)


def _word_text(w: str) -> str:
    if w in LEXICON:
        return LEXICON[w]
    if w == "N" or w == "n":
        return w
    if "_" in w or re.search(r"[a-z][A-Z]|[A-Z]{2,}[a-z]", w) or (w.isupper() and len(w) >= 2 and w.isalpha()):
        return _identifier(w)
    return w


def for_speech(text: str) -> str:
    """The text a voice should say for `text`."""
    t = text.replace("\u2014", ", ").replace("\u2013", " to ").replace("`", "")
    t = re.sub(r"\be\.g\.", "for example", t)
    t = re.sub(r"\bi\.e\.", "that is", t)
    t = re.sub(r"\betc\.", "et cetera", t)
    t = _PERCENTILE_RE.sub(_percentile, t)
    t = _UNIT_RE.sub(_unit, t)
    t = re.sub(rf"({_NUM})\s?%", r"\1 percent", t)
    t = re.sub(r"\bN\s?\+\s?1\b", "N plus one", t)
    t = re.sub(r"(?<=\w)\s?&\s?(?=\w)", " and ", t)
    t = re.sub(r"(?<!\w)(\d+)\s?x(?!\w)", r"\1 times", t)
    t = re.sub(r"(?<=\s)->(?=\s)", "to", t)
    t = _WORD_RE.sub(_word, t)
    return re.sub(r"\s{2,}", " ", t).strip()
