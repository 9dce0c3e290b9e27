/*
 * _czone: the hot loop of zonefile/reader.py in C (optional; reader.py is the
 * reference and the fallback).
 *
 * scan() reads consecutive records from a list of lines (one block of the file,
 * newlines removed) and returns them as reader.Record tuples, exactly as
 * reader._Reader would. It handles only the plain, common case: ASCII lines
 * without backslashes, the record types a signed zone is made of, no
 * directives, no SOA. At the first record it does not vouch for it stops and
 * returns; reader.py then reads that one record (which may be an error to
 * report, a directive, or anything unusual) and calls scan() again. So C never
 * decides an error and never accepts something Python would read differently:
 * "defer" is the answer to every doubt.
 *
 * Safety: every token is a (pointer, length) into a line the caller's list
 * keeps alive; every write into the RDATA buffer is bounds-checked against
 * RDATA_MAX; every number is parsed with an explicit upper bound.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#define MAX_TOKENS 512    /* more tokens in one record: defer */
#define RDATA_MAX 65535   /* larger RDATA: defer */
#define NAME_MAX_WIRE 255 /* RFC 1035 3.1 */
#define MAX_TTL 0xFFFFFFFFu /* dns.ttl.MAX_TTL */
/* reader.MAX_LOGICAL_LINE: a record's text (its lines) at most; a longer one is handed
 * back at once, and reader.py refuses it */
#define MAX_LOGICAL_LINE (1 << 20)
#define TYPE_SOA 6

/* ---- type and class words, given by reader.py from dnspython's tables ---- */

#define WORD_MAX 16
typedef struct {
    char name[WORD_MAX]; /* upper case, NUL-padded */
    int len;
    int value;
} Word;

#define TYPE_SLOTS 1024 /* open addressing; power of two, > 2x the entries */
static Word type_table[TYPE_SLOTS];
static int type_count;
/* class words other than IN (INTERNET, CH, NONE, ANY, ...): a record naming one is
 * deferred; so is any token starting with CLASS or TYPE not in the tables */
#define CLASS_MAX 32
static Word class_words[CLASS_MAX];
static int class_count;
static PyTypeObject *record_type; /* reader.Record, a tuple subclass */

static unsigned
word_hash(const char *upper, int len)
{
    unsigned h = 2166136261u;
    for (int i = 0; i < len; i++)
        h = (h ^ (unsigned char)upper[i]) * 16777619u;
    return h;
}

/* Upper-case copy of a token into buf (WORD_MAX); 0 when too long to be a word. */
static int
upper_word(const char *s, Py_ssize_t n, char *buf)
{
    if (n <= 0 || n >= WORD_MAX)
        return 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = s[i];
        buf[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
    }
    buf[n] = 0;
    return (int)n;
}

/* The type a token names, or -1 (unknown to the table: defer). */
static int
lookup_type(const char *s, Py_ssize_t n)
{
    char buf[WORD_MAX];
    int len = upper_word(s, n, buf);
    if (!len)
        return -1;
    unsigned slot = word_hash(buf, len) & (TYPE_SLOTS - 1);
    for (int probe = 0; probe < TYPE_SLOTS; probe++) {
        Word *w = &type_table[(slot + probe) & (TYPE_SLOTS - 1)];
        if (!w->len)
            return -1;
        if (w->len == len && memcmp(w->name, buf, (size_t)len) == 0)
            return w->value;
    }
    return -1;
}

/* 1: the class IN; 0: not a class word; -1: another class, or unsure (defer). */
static int
lookup_class(const char *s, Py_ssize_t n)
{
    char buf[WORD_MAX];
    int len = upper_word(s, n, buf);
    if (!len)
        return n >= 5 && PyOS_strnicmp(s, "CLASS", 5) == 0 ? -1 : 0;
    if (len == 2 && buf[0] == 'I' && buf[1] == 'N')
        return 1;
    if (len >= 5 && memcmp(buf, "CLASS", 5) == 0)
        return -1;
    for (int i = 0; i < class_count; i++)
        if (class_words[i].len == len && memcmp(class_words[i].name, buf, (size_t)len) == 0)
            return -1;
    return 0;
}

/* ---- numbers ---- */

/* ASCII digits only, value <= limit; -1 otherwise. */
static long long
parse_uint(const char *s, Py_ssize_t n, unsigned long long limit)
{
    if (n <= 0)
        return -1;
    unsigned long long v = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
        if (v > limit)
            return -1;
    }
    return (long long)v;
}

/* A TTL token as reader._ttl: 1 and *out set; 0 when it cannot be a TTL (no
 * digit first); -1 when unsure (units like 1h, or out of range: defer). */
static int
parse_ttl(const char *s, Py_ssize_t n, uint32_t *out)
{
    if (n <= 0 || s[0] < '0' || s[0] > '9') {
        /* dns.ttl.from_text rejects a unit without digits: not a TTL */
        return 0;
    }
    long long v = parse_uint(s, n, MAX_TTL);
    if (v < 0)
        return -1;
    *out = (uint32_t)v;
    return 1;
}

static int
is_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's algorithm). */
static long long
days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (long long)era * 146097 + doe - 719468;
}

/* RRSIG time as reader._sigtime: up to 10 digits, or YYYYMMDDHHmmSS; -1: defer. */
static long long
parse_sigtime(const char *s, Py_ssize_t n)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n <= 10)
        return parse_uint(s, n, 0xFFFFFFFFull);
    if (n != 14)
        return -1;
    for (int i = 0; i < 14; i++)
        if (s[i] < '0' || s[i] > '9')
            return -1;
#define D(i, k) ((long)parse_uint(s + (i), (k), 9999))
    long y = D(0, 4), mo = D(4, 2), d = D(6, 2), h = D(8, 2), mi = D(10, 2), se = D(12, 2);
#undef D
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59)
        return -1; /* datetime() would raise */
    int dim = mdays[mo - 1] + (mo == 2 && is_leap(y));
    if (d > dim)
        return -1;
    long long v = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    if (v < 0 || v > 0xFFFFFFFFll)
        return -1; /* struct.pack("I") would raise */
    return v;
}

/* ---- tokens ---- */

typedef struct {
    const char *p;
    Py_ssize_t n;
    int quoted;
} Tok;

/* ---- RDATA output buffer ---- */

typedef struct {
    unsigned char *b; /* RDATA_MAX + NAME_MAX_WIRE bytes */
    Py_ssize_t n;
} Buf;

static int
put(Buf *o, const void *p, Py_ssize_t n)
{
    if (n < 0 || o->n + n > RDATA_MAX)
        return -1;
    memcpy(o->b + o->n, p, (size_t)n);
    o->n += n;
    return 0;
}

static int
put8(Buf *o, unsigned v)
{
    unsigned char c = (unsigned char)v;
    return put(o, &c, 1);
}

static int
put16(Buf *o, unsigned v)
{
    unsigned char c[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    return put(o, c, 2);
}

static int
put32(Buf *o, uint32_t v)
{
    unsigned char c[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    return put(o, c, 4);
}

/* ---- names (reader._Reader.name / lname) ---- */

typedef struct {
    const unsigned char *origin; /* case-preserved wire, or NULL when unknown */
    Py_ssize_t origin_len;
} Ctx;

/* Wire form of a name token into out[NAME_MAX_WIRE]; its length, or -1 (defer).
 * lower: ASCII-lower-case the result, as bytes.lower() (length octets are < 64). */
static Py_ssize_t
name_wire(const Ctx *ctx, const char *s, Py_ssize_t n, int lower, unsigned char *out)
{
    Py_ssize_t len = 0;
    if (n == 1 && s[0] == '@') {
        if (!ctx->origin)
            return -1;
        memcpy(out, ctx->origin, (size_t)ctx->origin_len);
        len = ctx->origin_len;
    } else if (n == 1 && s[0] == '.') {
        out[0] = 0;
        len = 1;
    } else {
        int absolute = n > 0 && s[n - 1] == '.';
        Py_ssize_t end = absolute ? n - 1 : n, start = 0;
        if (!absolute && !ctx->origin)
            return -1;
        for (;;) { /* labels, '.'-separated; each 1..63 octets */
            Py_ssize_t i = start;
            while (i < end && s[i] != '.')
                i++;
            Py_ssize_t label = i - start;
            if (label == 0 || label > 63 || len + 1 + label > NAME_MAX_WIRE)
                return -1;
            out[len++] = (unsigned char)label;
            memcpy(out + len, s + start, (size_t)label);
            len += label;
            if (i >= end)
                break;
            start = i + 1;
        }
        if (absolute) {
            if (len + 1 > NAME_MAX_WIRE)
                return -1;
            out[len++] = 0;
        } else {
            if (len + ctx->origin_len > NAME_MAX_WIRE)
                return -1;
            memcpy(out + len, ctx->origin, (size_t)ctx->origin_len);
            len += ctx->origin_len;
        }
    }
    if (lower)
        for (Py_ssize_t i = 0; i < len; i++)
            if (out[i] >= 'A' && out[i] <= 'Z')
                out[i] = (unsigned char)(out[i] + 32);
    return len;
}

static int
put_name(Buf *o, const Ctx *ctx, const Tok *t, int lower)
{
    unsigned char w[NAME_MAX_WIRE];
    Py_ssize_t n = name_wire(ctx, t->p, t->n, lower, w);
    return n < 0 ? -1 : put(o, w, n);
}

/* ---- encodings ---- */

/* Base64 digit values; B64_PAD for '=', B64_BAD for anything else (set in init). */
#define B64_BAD (-1)
#define B64_PAD (-2)
static signed char b64_value[256];

static void
init_tables(void)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    memset(b64_value, B64_BAD, sizeof(b64_value));
    for (int i = 0; i < 64; i++)
        b64_value[(unsigned char)digits[i]] = (signed char)i;
    b64_value['='] = B64_PAD;
}

/* One quad of base64 digits into out; the number of octets (3, or 1-2 for a final
 * padded quad "xx==" / "xxx="), or -1 for anything else. */
static inline int
base64_quad(const unsigned char *q, unsigned char *out, int last)
{
    int v0 = b64_value[q[0]], v1 = b64_value[q[1]], v2 = b64_value[q[2]], v3 = b64_value[q[3]];
    if ((v0 | v1 | v2 | v3) >= 0) {
        unsigned acc = (unsigned)v0 << 18 | (unsigned)v1 << 12 | (unsigned)v2 << 6 | (unsigned)v3;
        out[0] = (unsigned char)(acc >> 16);
        out[1] = (unsigned char)(acc >> 8);
        out[2] = (unsigned char)acc;
        return 3;
    }
    /* '=' only as the last one or two characters of the whole text */
    if (!last || v0 < 0 || v1 < 0 || v3 != B64_PAD || (v2 < 0 && v2 != B64_PAD))
        return -1;
    unsigned acc = (unsigned)v0 << 18 | (unsigned)v1 << 12 | (v2 >= 0 ? (unsigned)v2 << 6 : 0);
    out[0] = (unsigned char)(acc >> 16);
    if (v2 < 0)
        return 1;
    out[1] = (unsigned char)(acc >> 8);
    return 2;
}

/* Base64 of the tokens joined, as binascii.a2b_base64(strict_mode=True), but only
 * its plain form: whole quads, '=' only as the last one or two characters.  A quad
 * may span tokens (lines): its characters are gathered first. */
static int
put_base64(Buf *o, const Tok *t, int count)
{
    Py_ssize_t total = 0;
    for (int k = 0; k < count; k++)
        total += t[k].n;
    if (total == 0 || total % 4 || o->n + total / 4 * 3 > RDATA_MAX)
        return -1;
    unsigned char *out = o->b + o->n; /* room checked above */
    unsigned char quad[4];
    int held = 0;
    Py_ssize_t seen = 0; /* characters before the current quad */
    for (int k = 0; k < count; k++) {
        const unsigned char *p = (const unsigned char *)t[k].p;
        Py_ssize_t n = t[k].n, i = 0;
        while (held && i < n) {
            quad[held++] = p[i++];
            if (held == 4) {
                int got = base64_quad(quad, out, seen + 4 == total);
                if (got < 0)
                    return -1;
                out += got;
                seen += 4;
                held = 0;
            }
        }
        for (; i + 4 <= n; i += 4) {
            int got = base64_quad(p + i, out, seen + 4 == total);
            if (got < 0)
                return -1;
            out += got;
            seen += 4;
        }
        while (i < n)
            quad[held++] = p[i++];
    }
    o->n = out - o->b;
    return 0;
}

/* The value of c as a digit of ``base`` (16, or 32 for RFC 4648 base32hex: 0-9 then
 * A-V), either case; -1 if it is none. */
static int
digit_value(char c, int base)
{
    int v;
    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'z')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'Z')
        v = c - 'A' + 10;
    else
        return -1;
    return v < base ? v : -1;
}

/* binascii.unhexlify of the tokens joined; the number of octets, or -1. */
static Py_ssize_t
put_hex(Buf *o, const Tok *t, int count)
{
    Py_ssize_t before = o->n;
    int high = -1;
    for (int k = 0; k < count; k++)
        for (Py_ssize_t i = 0; i < t[k].n; i++) {
            int v = digit_value(t[k].p[i], 16);
            if (v < 0)
                return -1;
            if (high < 0)
                high = v;
            else {
                if (put8(o, (unsigned)(high << 4 | v)))
                    return -1;
                high = -1;
            }
        }
    return high >= 0 ? -1 : o->n - before;
}

/* An NSEC3 salt: "-" or hex, as one length-prefixed field of at most 255 octets. */
static int
put_salt(Buf *o, const Tok *t)
{
    if (t->n == 1 && t->p[0] == '-')
        return put8(o, 0);
    Py_ssize_t at = o->n;
    if (put8(o, 0))
        return -1;
    Py_ssize_t n = put_hex(o, t, 1);
    if (n < 0 || n > 255)
        return -1;
    o->b[at] = (unsigned char)n;
    return 0;
}

/* ---- type bitmaps (RFC 4034 4.1.2) ---- */

static int
cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static int
put_bitmap(Buf *o, const Tok *t, int count)
{
    int types[MAX_TOKENS];
    if (count > MAX_TOKENS)
        return -1;
    for (int k = 0; k < count; k++) {
        if (t[k].quoted)
            return -1;
        int v = lookup_type(t[k].p, t[k].n);
        if (v <= 0) /* unknown here, or type 0 */
            return -1;
        types[k] = v;
    }
    qsort(types, (size_t)count, sizeof(int), cmp_int);
    int k = 0;
    while (k < count) {
        int window = types[k] >> 8;
        unsigned char octets[32] = {0};
        int used = 0;
        for (; k < count && (types[k] >> 8) == window; k++) {
            int low = types[k] & 0xFF;
            octets[low >> 3] |= (unsigned char)(0x80 >> (low & 7));
            if ((low >> 3) + 1 > used)
                used = (low >> 3) + 1;
        }
        if (put8(o, (unsigned)window) || put8(o, (unsigned)used) || put(o, octets, used))
            return -1;
    }
    return 0;
}

/* ---- RDATA: reader._Reader.rdata_fast ---- */

static int
any_quoted(const Tok *t, int count)
{
    for (int k = 0; k < count; k++)
        if (t[k].quoted)
            return 1;
    return 0;
}

#define UINT_OR_DEFER(var, tok, limit)                                                   \
    long long var = parse_uint((tok).p, (tok).n, (limit));                              \
    if (var < 0)                                                                          \
        return -1

/* The canonical RDATA of type rdtype from its tokens into o; -1: defer. */
static int
rdata(Buf *o, const Ctx *ctx, int rdtype, const Tok *t, int n)
{
    if (rdtype != 16 && rdtype != 99 && any_quoted(t, n))
        return -1; /* quotes outside TXT: dnspython's business */
    switch (rdtype) {
    case 46: { /* RRSIG */
        if (n < 9)
            return -1;
        int covered = lookup_type(t[0].p, t[0].n);
        if (covered <= 0)
            return -1;
        UINT_OR_DEFER(alg, t[1], 255);
        UINT_OR_DEFER(labels, t[2], 255);
        UINT_OR_DEFER(ottl, t[3], 0xFFFFFFFFull);
        long long exp = parse_sigtime(t[4].p, t[4].n);
        long long inc = parse_sigtime(t[5].p, t[5].n);
        UINT_OR_DEFER(tag, t[6], 0xFFFF);
        if (exp < 0 || inc < 0)
            return -1;
        if (put16(o, (unsigned)covered) || put8(o, (unsigned)alg) || put8(o, (unsigned)labels) ||
            put32(o, (uint32_t)ottl) || put32(o, (uint32_t)exp) || put32(o, (uint32_t)inc) ||
            put16(o, (unsigned)tag) || put_name(o, ctx, &t[7], 1))
            return -1;
        return put_base64(o, t + 8, n - 8);
    }
    case 50: { /* NSEC3 */
        if (n < 5)
            return -1;
        UINT_OR_DEFER(alg, t[0], 255);
        UINT_OR_DEFER(flags, t[1], 255);
        UINT_OR_DEFER(iterations, t[2], 0xFFFF);
        const Tok *next = &t[4];
        if (next->n == 0 || next->n % 8 || next->n * 5 / 8 > 255)
            return -1;
        if (put8(o, (unsigned)alg) || put8(o, (unsigned)flags) || put16(o, (unsigned)iterations) ||
            put_salt(o, &t[3]) || put8(o, (unsigned)(next->n * 5 / 8)))
            return -1;
        unsigned long long acc = 0;
        int bits = 0;
        for (Py_ssize_t i = 0; i < next->n; i++) {
            int v = digit_value(next->p[i], 32);
            if (v < 0)
                return -1;
            acc = (acc << 5) | (unsigned)v;
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                if (put8(o, (unsigned)((acc >> bits) & 0xFF)))
                    return -1;
            }
        }
        return put_bitmap(o, t + 5, n - 5);
    }
    case 1: { /* A: libc's inet_pton, as socket.inet_pton */
        char text[INET_ADDRSTRLEN + 1];
        unsigned char addr[4];
        if (n != 1 || t[0].n >= (Py_ssize_t)sizeof(text))
            return -1;
        memcpy(text, t[0].p, (size_t)t[0].n);
        text[t[0].n] = 0;
        if (inet_pton(AF_INET, text, addr) != 1)
            return -1;
        return put(o, addr, 4);
    }
    case 28: { /* AAAA: hex digits and colons only (reader._HEX_COLON) */
        char text[INET6_ADDRSTRLEN + 1];
        unsigned char addr[16];
        if (n != 1 || t[0].n >= (Py_ssize_t)sizeof(text))
            return -1;
        for (Py_ssize_t i = 0; i < t[0].n; i++) {
            if (t[0].p[i] != ':' && digit_value(t[0].p[i], 16) < 0)
                return -1;
            text[i] = t[0].p[i];
        }
        text[t[0].n] = 0;
        if (inet_pton(AF_INET6, text, addr) != 1)
            return -1;
        return put(o, addr, 16);
    }
    case 47: /* NSEC: the next name keeps its case (RFC 6840 5.1) */
        if (n < 1 || put_name(o, ctx, &t[0], 0))
            return -1;
        return put_bitmap(o, t + 1, n - 1);
    case 48:
    case 60: { /* DNSKEY, CDNSKEY */
        if (n < 4)
            return -1;
        UINT_OR_DEFER(flags, t[0], 0xFFFF);
        UINT_OR_DEFER(proto, t[1], 255);
        UINT_OR_DEFER(alg, t[2], 255);
        if (put16(o, (unsigned)flags) || put8(o, (unsigned)proto) || put8(o, (unsigned)alg))
            return -1;
        return put_base64(o, t + 3, n - 3);
    }
    case 43:
    case 59: { /* DS, CDS */
        if (n < 4)
            return -1;
        UINT_OR_DEFER(tag, t[0], 0xFFFF);
        UINT_OR_DEFER(alg, t[1], 255);
        UINT_OR_DEFER(digest_type, t[2], 255);
        if (digest_type == 0 || put16(o, (unsigned)tag) || put8(o, (unsigned)alg) ||
            put8(o, (unsigned)digest_type))
            return -1;
        Py_ssize_t len = put_hex(o, t + 3, n - 3);
        static const int known[] = {0, 20, 32, 32, 48}; /* reader._DS_DIGEST_LENGTH */
        if (len < 0 || (digest_type <= 4 && len != known[digest_type]))
            return -1;
        return 0;
    }
    case 2:
    case 5:
    case 12:
    case 39: /* NS, CNAME, PTR, DNAME */
        if (n != 1)
            return -1;
        return put_name(o, ctx, &t[0], 1);
    case 15: { /* MX */
        if (n != 2)
            return -1;
        UINT_OR_DEFER(pref, t[0], 0xFFFF);
        if (put16(o, (unsigned)pref))
            return -1;
        return put_name(o, ctx, &t[1], 1);
    }
    case 16:
    case 99: /* TXT, SPF: each token one string */
        if (n < 1)
            return -1;
        for (int k = 0; k < n; k++)
            if (t[k].n > 255 || put8(o, (unsigned)t[k].n) || put(o, t[k].p, t[k].n))
                return -1;
        return 0;
    case 51: { /* NSEC3PARAM */
        if (n != 4)
            return -1;
        UINT_OR_DEFER(alg, t[0], 255);
        UINT_OR_DEFER(flags, t[1], 255);
        UINT_OR_DEFER(iterations, t[2], 0xFFFF);
        if (put8(o, (unsigned)alg) || put8(o, (unsigned)flags) || put16(o, (unsigned)iterations))
            return -1;
        return put_salt(o, &t[3]);
    }
    default:
        return -1; /* SOA and everything else: reader.py */
    }
}

/* ---- lines to tokens ---- */

/* Character classes for the tokenizer. */
enum { C_WORD, C_SPACE, C_SEMI, C_OPEN, C_CLOSE, C_QUOTE, C_BAD };
static unsigned char char_class[256];

static void
init_char_class(void)
{
    for (int c = 0; c < 256; c++)
        char_class[c] = (c < 0x20 || c > 0x7e || c == '\\') ? C_BAD : C_WORD;
    char_class[' '] = char_class['\t'] = C_SPACE;
    char_class[';'] = C_SEMI;
    char_class['('] = C_OPEN;
    char_class[')'] = C_CLOSE;
    char_class['"'] = C_QUOTE;
}

/* Append the tokens of one line (reader._Reader.slow's rules without backslashes)
 * to toks; updates *depth (parentheses). 0, or -1 to defer: backslashes (escapes),
 * control and non-ASCII characters, a quote not closed on its line, too many tokens. */
static int
tokenize(const char *line, Py_ssize_t n, Tok *toks, int *count, int *depth)
{
    const unsigned char *s = (const unsigned char *)line;
    Py_ssize_t i = 0;
    while (i < n) {
        switch (char_class[s[i]]) {
        case C_WORD: {
            Py_ssize_t start = i;
            while (i < n && char_class[s[i]] == C_WORD)
                i++;
            if (*count >= MAX_TOKENS)
                return -1;
            toks[*count].p = line + start;
            toks[*count].n = i - start;
            toks[(*count)++].quoted = 0;
            break;
        }
        case C_SPACE:
            i++;
            break;
        case C_SEMI:
            return 0;
        case C_OPEN:
            ++*depth;
            i++;
            break;
        case C_CLOSE:
            if (--*depth < 0)
                return -1;
            i++;
            break;
        case C_QUOTE: {
            Py_ssize_t j = i + 1;
            /* inside quotes only a backslash, control or non-ASCII character is
             * special (reader.py reads those); space, ';' and parentheses are text */
            while (j < n && s[j] != '"') {
                if (char_class[s[j]] == C_BAD && s[j] != '\t')
                    return -1;
                j++;
            }
            if (j >= n || *count >= MAX_TOKENS)
                return -1; /* newline in quoted string: an error reader.py names */
            toks[*count].p = line + i + 1;
            toks[*count].n = j - i - 1;
            toks[(*count)++].quoted = 1;
            i = j + 1;
            break;
        }
        default:
            return -1;
        }
    }
    return 0;
}

/* ---- scan ---- */

typedef struct {
    PyObject *last_owner; /* borrowed or owned by the caller's frame; may be Py_None */
    uint32_t last_ttl;
    int last_ttl_known;
    uint32_t default_ttl;
    int default_ttl_known;
    int default_ttl_from_soa;
} State;

/* reader._Reader.implicit_ttl; 0 when there is none (defer). */
static int
implicit_ttl(const State *st, uint32_t *out)
{
    if (st->last_ttl_known && (!st->default_ttl_known || st->default_ttl_from_soa)) {
        *out = st->last_ttl;
        return 1;
    }
    if (st->default_ttl_known) {
        *out = st->default_ttl;
        return 1;
    }
    return 0;
}

static PyObject *
make_record(PyObject *owner, uint32_t ttl, int rdtype, const Buf *o, Py_ssize_t line)
{
    PyObject *rec = record_type->tp_alloc(record_type, 5);
    if (!rec)
        return NULL;
    PyObject *items[5];
    Py_INCREF(owner);
    items[0] = owner;
    items[1] = PyLong_FromUnsignedLong(ttl);
    items[2] = PyLong_FromLong(rdtype);
    items[3] = PyBytes_FromStringAndSize((const char *)o->b, o->n);
    items[4] = PyLong_FromSsize_t(line);
    for (int k = 0; k < 5; k++) {
        if (!items[k]) {
            for (int j = 0; j < 5; j++)
                Py_XDECREF(items[j]);
            Py_DECREF(rec);
            return NULL;
        }
    }
    for (int k = 0; k < 5; k++)
        PyTuple_SET_ITEM(rec, k, items[k]);
    return rec;
}

/* One record from lines[pos:]; 1 read (record in *out, or NULL for a line without
 * tokens), 0 defer, -1 Python error. *used: the lines taken. */
static int
one_record(PyObject *lines, Py_ssize_t pos, Py_ssize_t lineno, const Ctx *ctx, State *st,
           Tok *toks, Buf *o, PyObject **out, Py_ssize_t *used)
{
    Py_ssize_t nlines = PyList_GET_SIZE(lines);
    int count = 0, depth = 0, leading = 0;
    Py_ssize_t k = pos, size = 0;
    *out = NULL;
    do {
        if (k >= nlines)
            return 0; /* the record goes on in the next block */
        PyObject *line = PyList_GET_ITEM(lines, k);
        if (!PyUnicode_Check(line) || !PyUnicode_IS_ASCII(line))
            return 0;
        const char *s = (const char *)PyUnicode_DATA(line);
        Py_ssize_t n = PyUnicode_GET_LENGTH(line);
        size += n;
        if (size > MAX_LOGICAL_LINE)
            return 0; /* reader.py names the limit */
        if (k == pos)
            leading = n > 0 && (s[0] == ' ' || s[0] == '\t');
        if (tokenize(s, n, toks, &count, &depth) < 0)
            return 0;
        k++;
    } while (depth > 0);
    *used = k - pos;
    if (count == 0)
        return 1;

    int i = 0;
    PyObject *owner;
    unsigned char wire[NAME_MAX_WIRE];
    if (toks[0].quoted || (!leading && toks[0].p[0] == '$'))
        return 0; /* a directive */
    if (leading) {
        if (st->last_owner == Py_None)
            return 0;
        owner = st->last_owner;
        Py_INCREF(owner);
    } else {
        Py_ssize_t len = name_wire(ctx, toks[0].p, toks[0].n, 1, wire);
        if (len < 0)
            return 0;
        owner = PyBytes_FromStringAndSize((const char *)wire, len);
        if (!owner)
            return -1;
        i = 1;
    }
    /* from here on: owner is a new reference */
    uint32_t ttl = 0, value;
    int have_ttl = 0, r, rdtype;
    State next = *st;
#define NEED(k)                                                                            \
    if ((k) >= count || toks[k].quoted)                                                    \
    goto defer
    NEED(i);
    r = parse_ttl(toks[i].p, toks[i].n, &value);
    if (r < 0)
        goto defer;
    if (r == 1) {
        ttl = next.last_ttl = value;
        next.last_ttl_known = have_ttl = 1;
        i++;
        NEED(i);
    }
    r = lookup_class(toks[i].p, toks[i].n);
    if (r < 0)
        goto defer;
    if (r == 1) {
        i++;
        NEED(i);
    }
    if (!have_ttl) {
        r = parse_ttl(toks[i].p, toks[i].n, &value);
        if (r < 0)
            goto defer;
        if (r == 1) {
            ttl = next.last_ttl = value;
            next.last_ttl_known = have_ttl = 1;
            i++;
            NEED(i);
        } else if (!implicit_ttl(st, &ttl)) {
            goto defer; /* "Missing default TTL value", or an SOA sets it */
        }
    }
#undef NEED
    rdtype = lookup_type(toks[i].p, toks[i].n);
    if (rdtype <= 0 || rdtype == TYPE_SOA)
        goto defer;
    i++;
    o->n = 0;
    if (rdata(o, ctx, rdtype, toks + i, count - i) < 0)
        goto defer;
    *out = make_record(owner, ttl, rdtype, o, lineno + 1);
    if (!*out) {
        Py_DECREF(owner);
        return -1;
    }
    next.last_owner = owner; /* the reference moves to the state */
    Py_DECREF(st->last_owner);
    *st = next;
    return 1;
defer:
    Py_DECREF(owner);
    return 0;
}

static PyObject *
scan(PyObject *self, PyObject *args)
{
    PyObject *lines, *origin, *last_owner;
    Py_ssize_t pos, lineno;
    unsigned long last_ttl, default_ttl;
    int last_ttl_known, default_ttl_known, default_ttl_from_soa;
    if (!PyArg_ParseTuple(args, "O!nnOOkpkpp", &PyList_Type, &lines, &pos, &lineno, &origin,
                          &last_owner, &last_ttl, &last_ttl_known, &default_ttl,
                          &default_ttl_known, &default_ttl_from_soa))
        return NULL;
    if (!record_type) {
        PyErr_SetString(PyExc_RuntimeError, "_czone.configure() was not called");
        return NULL;
    }
    if ((origin != Py_None && !PyBytes_Check(origin)) ||
        (last_owner != Py_None && !PyBytes_Check(last_owner)) || pos < 0 ||
        last_ttl > MAX_TTL || default_ttl > MAX_TTL) {
        PyErr_SetString(PyExc_TypeError, "scan: bad state");
        return NULL;
    }
    Ctx ctx = {NULL, 0};
    if (origin != Py_None) {
        ctx.origin = (const unsigned char *)PyBytes_AS_STRING(origin);
        ctx.origin_len = PyBytes_GET_SIZE(origin);
        if (ctx.origin_len < 1 || ctx.origin_len > NAME_MAX_WIRE) {
            PyErr_SetString(PyExc_ValueError, "scan: bad origin");
            return NULL;
        }
    }
    State st = {last_owner, (uint32_t)last_ttl, last_ttl_known, (uint32_t)default_ttl,
                default_ttl_known, default_ttl_from_soa};
    Py_INCREF(st.last_owner);
    PyObject *records = PyList_New(0);
    Tok *toks = PyMem_Malloc(sizeof(Tok) * MAX_TOKENS);
    Buf o = {PyMem_Malloc(RDATA_MAX + NAME_MAX_WIRE), 0};
    if (!records || !toks || !o.b) {
        PyErr_NoMemory();
        goto error;
    }
    Py_INCREF(lines); /* the tokens point into its strings */
    while (pos < PyList_GET_SIZE(lines)) {
        PyObject *rec;
        Py_ssize_t used = 0;
        int r = one_record(lines, pos, lineno, &ctx, &st, toks, &o, &rec, &used);
        if (r < 0) {
            Py_DECREF(lines);
            goto error;
        }
        if (r == 0)
            break;
        if (rec) {
            int failed = PyList_Append(records, rec);
            Py_DECREF(rec);
            if (failed) {
                Py_DECREF(lines);
                goto error;
            }
        }
        pos += used;
        lineno += used;
    }
    Py_DECREF(lines);
    PyMem_Free(toks);
    PyMem_Free(o.b);
    PyObject *result = Py_BuildValue("(NnnNkO)", records, pos, lineno, st.last_owner,
                                     (unsigned long)st.last_ttl,
                                     st.last_ttl_known ? Py_True : Py_False);
    return result;
error:
    Py_XDECREF(records);
    Py_DECREF(st.last_owner);
    PyMem_Free(toks);
    PyMem_Free(o.b);
    return NULL;
}

/* ---- signed data (workers.fast_facts) ---- */

typedef struct {
    const unsigned char *p;
    Py_ssize_t n;
} Span;

/* RFC 4034 6.3 canonical RR order: RDATA as left-justified octet strings, as
 * Python's bytes comparison (a prefix sorts first). */
static int
cmp_span(const void *a, const void *b)
{
    const Span *x = a, *y = b;
    Py_ssize_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, (size_t)n);
    if (c)
        return c;
    return (x->n > y->n) - (x->n < y->n);
}

#define MAX_SIGNED_RRS 4096 /* more: None, and workers.py builds it */

/* The RFC 4034 3.1.8.1 data the RRSIG RDATA ``w`` signs over an RRset: the RRSIG
 * RDATA up to the signature (``start`` octets: fields and signer), then each distinct
 * RR of ``rdatas`` (canonical RDATA wire, a PySequence_Fast) in canonical order, as
 * ``owner`` (the signed form), ``rdtype``, class IN, Original TTL, RDLENGTH, RDATA.
 * NULL with no error set when it is not built here (more RRs than MAX_SIGNED_RRS,
 * an RDATA longer than 65535 octets, which no RDLENGTH can state): the caller's
 * Python path decides. */
static PyObject *
build_signed_data(const unsigned char *w, Py_ssize_t start, const unsigned char *owner,
                  Py_ssize_t owner_len, int rdtype, PyObject *seq)
{
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    if (count > MAX_SIGNED_RRS) /* beyond limits.MAX_RECORDS_PER_RRSET */
        return NULL;
    Span one, *spans = &one;
    if (count > 1) {
        spans = PyMem_Malloc(sizeof(Span) * (size_t)count);
        if (!spans)
            return PyErr_NoMemory();
    }
    PyObject *data = NULL;
    for (Py_ssize_t k = 0; k < count; k++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, k);
        if (!PyBytes_Check(item)) {
            PyErr_SetString(PyExc_TypeError, "signed data: rdatas must be bytes");
            goto done;
        }
        if (PyBytes_GET_SIZE(item) > 0xFFFF)
            goto done; /* declined, no error */
        spans[k].p = (const unsigned char *)PyBytes_AS_STRING(item);
        spans[k].n = PyBytes_GET_SIZE(item);
    }
    if (count > 1)
        qsort(spans, (size_t)count, sizeof(Span), cmp_span);
    /* the size: RRSIG fields and signer, then per distinct RR owner, type, class,
     * TTL, RDLENGTH, RDATA */
    Py_ssize_t fixed = owner_len + 10, size = start;
    for (Py_ssize_t k = 0; k < count; k++) {
        if (k && cmp_span(&spans[k - 1], &spans[k]) == 0)
            continue;
        size += fixed + spans[k].n;
    }
    data = PyBytes_FromStringAndSize(NULL, size);
    if (!data)
        goto done;
    unsigned char *d = (unsigned char *)PyBytes_AS_STRING(data);
    memcpy(d, w, (size_t)start);
    d += start;
    for (Py_ssize_t k = 0; k < count; k++) {
        if (k && cmp_span(&spans[k - 1], &spans[k]) == 0)
            continue;
        memcpy(d, owner, (size_t)owner_len);
        d += owner_len;
        *d++ = (unsigned char)(rdtype >> 8);
        *d++ = (unsigned char)rdtype;
        *d++ = 0;
        *d++ = 1; /* class IN */
        memcpy(d, w + 4, 4); /* Original TTL */
        d += 4;
        *d++ = (unsigned char)(spans[k].n >> 8);
        *d++ = (unsigned char)spans[k].n;
        memcpy(d, spans[k].p, (size_t)spans[k].n);
        d += spans[k].n;
    }
done:
    if (spans != &one)
        PyMem_Free(spans);
    return data;
}

/* Does the RRSIG RDATA ``w`` cover ``rdtype`` with ``labels`` labels, signed by
 * exactly ``origin`` (canonical wire, ending in the root label)?  The signature
 * then starts at 18 + origin_len. */
static int
rrsig_by_zone(const unsigned char *w, Py_ssize_t wlen, int rdtype, int labels,
              const unsigned char *origin, Py_ssize_t origin_len)
{
    return wlen >= 19 && wlen >= 18 + origin_len && origin_len >= 1 &&
           (w[0] << 8 | w[1]) == rdtype && w[3] == labels &&
           memcmp(w + 18, origin, (size_t)origin_len) == 0;
}

#define U32(w, at) ((uint32_t)(w)[at] << 24 | (uint32_t)(w)[(at) + 1] << 16 | \
                    (uint32_t)(w)[(at) + 2] << 8 | (uint32_t)(w)[(at) + 3])

/* signed_data(wire, owner, rdtype, rdatas, origin, labels)
 *   -> (algorithm, key tag, original TTL, expiration, inception, signature, data) | None
 * The fields of the RRSIG RDATA ``wire`` and the RFC 4034 3.1.8.1 data it signs over
 * the RRset (owner, rdtype, rdatas: canonical wire), as workers.fast_facts builds them;
 * None unless the RRSIG covers rdtype, has ``labels`` labels, and its signer is
 * exactly ``origin`` (canonical wire). */
static PyObject *
signed_data(PyObject *self, PyObject *args)
{
    Py_buffer wire, owner, origin;
    int rdtype, labels;
    PyObject *rdatas, *result = NULL, *seq = NULL;
    if (!PyArg_ParseTuple(args, "y*y*iOy*i", &wire, &owner, &rdtype, &rdatas, &origin, &labels))
        return NULL;
    const unsigned char *w = wire.buf;
    Py_ssize_t start = 18 + origin.len;
    if (!rrsig_by_zone(w, wire.len, rdtype, labels, origin.buf, origin.len)) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    seq = PySequence_Fast(rdatas, "signed_data: rdatas must be a sequence");
    if (!seq)
        goto done;
    PyObject *data = build_signed_data(w, start, owner.buf, owner.len, rdtype, seq);
    if (!data) {
        if (!PyErr_Occurred())
            result = Py_NewRef(Py_None);
        goto done;
    }
    result = Py_BuildValue("(iikkky#N)", w[2], w[16] << 8 | w[17], (unsigned long)U32(w, 4),
                           (unsigned long)U32(w, 8), (unsigned long)U32(w, 12),
                           (const char *)w + start, wire.len - start, data);
done:
    Py_XDECREF(seq);
    PyBuffer_Release(&wire);
    PyBuffer_Release(&owner);
    PyBuffer_Release(&origin);
    return result;
}

/* ---- judging RRSIGs: the fast path of workers.judge_items ---- */

#define HALF_SERIAL ((int64_t)1 << 31)
#define FULL_SERIAL ((int64_t)1 << 32)
#define SAFE_TIME ((int64_t)1 << 60) /* beyond: Python's integers decide */

/* RFC 1982 / RFC 4034 3.1.5: the time closest to ``at`` with these low 32 bits, as
 * validate.timeutil.serial_time. */
static int64_t
serial_time(uint32_t field, int64_t at)
{
    int64_t t = (int64_t)((uint64_t)at & ~(uint64_t)(FULL_SERIAL - 1)) | (int64_t)field;
    if (t - at > HALF_SERIAL)
        t -= FULL_SERIAL;
    else if (at - t > HALF_SERIAL)
        t += FULL_SERIAL;
    return t;
}

/* Labels of a wire name without the root and without a leading "*" (RFC 4034
 * 3.1.3); -1 if it is not a well-formed uncompressed name. */
static int
rrsig_labels(const unsigned char *name, Py_ssize_t len)
{
    int count = 0;
    Py_ssize_t at = 0;
    while (at < len && name[at]) {
        if (name[at] > 63)
            return -1;
        count++;
        at += 1 + name[at];
    }
    if (at >= len)
        return -1;
    return count - (len >= 2 && name[0] == 1 && name[1] == '*');
}

#define WARN_ORIGINAL_TTL 1 /* the RRset's TTL above Original TTL */
#define WARN_RRSIG_TTL 2    /* the RRSIG's own TTL above Original TTL */
#define WARN_TTL_BEYOND 4   /* cached past the expiration */
#define WARN_DEPRECATED 8   /* an algorithm not to sign with */

typedef struct {
    int algorithm, tag;
    PyObject *check; /* borrowed from the caller's list */
    int deprecated;
} Key;

#define MAX_FAST_KEYS 64

typedef struct {
    int64_t now, horizon;
    const unsigned char *origin;
    Py_ssize_t origin_len;
    Key keys[MAX_FAST_KEYS];
    int key_count;
    int limit_exceeded; /* the DNSKEY RRset itself is over the record limit */
    Py_ssize_t max_records;
} Judge;

/* Facts of validate.rrsig's acceptance rule (RrsigFact, the same bits): the first
 * failed check, in the rule's order; UNDECIDED where this path cannot tell (then
 * judge_rrsig decides). No failed fact is VALID. */
#define FACT_TYPE (1 << 0)
#define FACT_LABELS (1 << 1)
#define FACT_RECORDS (1 << 4)
#define FACT_NEVER_VALID (1 << 9)
#define FACT_SIGNATURE (1 << 12)
#define FACT_UNDECIDED (1 << 15)

/* One RRSIG by the fast path: 1 VALID (times and warning flags set), 0 not VALID
 * (*facts: the failed or undecided fact), -1 on an error to raise. It reads and
 * computes; the verdict is the rule's (rrsig_verdict in Python). */
static int
judge_one(const Judge *j, const unsigned char *owner, Py_ssize_t owner_len, int rdtype,
          int labels, int64_t ttl, int64_t rrsig_ttl, PyObject *rdatas, PyObject *wire,
          int64_t *inception, int64_t *expiration, int *algorithm, int *tag, int *flags,
          int *facts)
{
    const unsigned char *w = (const unsigned char *)PyBytes_AS_STRING(wire);
    Py_ssize_t wlen = PyBytes_GET_SIZE(wire);
    *facts = FACT_UNDECIDED;
    if (wlen < 19)
        return 0;
    if ((w[0] << 8 | w[1]) != rdtype) {
        *facts = FACT_TYPE;
        return 0;
    }
    if (w[3] > labels) {
        *facts = FACT_LABELS;
        return 0;
    }
    if (!rrsig_by_zone(w, wlen, rdtype, labels, j->origin, j->origin_len))
        return 0; /* fewer labels (a wildcard), or another signer */
    int is_origin = owner_len == j->origin_len && memcmp(owner, j->origin, (size_t)owner_len) == 0;
    if ((rdtype == 48 && !is_origin) || (rdtype == 43 && is_origin))
        return 0; /* a DNSKEY RRset below the apex; DS at the apex is the parent's */
    int alg = w[2], keytag = w[16] << 8 | w[17];
    const Key *key = NULL;
    for (int k = 0; k < j->key_count; k++)
        if (j->keys[k].algorithm == alg && j->keys[k].tag == keytag) {
            key = &j->keys[k];
            break;
        }
    if (!key) /* no key, revoked, a tag collision, does not load, ... */
        return 0;
    if (j->limit_exceeded || PySequence_Fast_GET_SIZE(rdatas) > j->max_records) {
        *facts = FACT_RECORDS;
        return 0;
    }
    uint32_t exp_field = U32(w, 8), inc_field = U32(w, 12);
    int64_t inc = serial_time(inc_field, j->now), exp = serial_time(exp_field, j->now);
    if (exp < inc || exp_field < inc_field) {
        *facts = FACT_NEVER_VALID;
        return 0;
    }
    if (inc > j->now || j->now > exp)
        return 0; /* the signature comes first in the rule: not checked here */
    Py_ssize_t start = 18 + j->origin_len;
    PyObject *data = build_signed_data(w, start, owner, owner_len, rdtype, rdatas);
    if (!data)
        return PyErr_Occurred() ? -1 : 0;
    PyObject *signature = PyBytes_FromStringAndSize((const char *)w + start, wlen - start);
    if (!signature) {
        Py_DECREF(data);
        return -1;
    }
    PyObject *verdict = PyObject_CallFunctionObjArgs(key->check, signature, data, NULL);
    Py_DECREF(signature);
    Py_DECREF(data);
    if (!verdict) {
        /* what workers.fast_facts leaves undecided */
        if (PyErr_ExceptionMatches(PyExc_ValueError) || PyErr_ExceptionMatches(PyExc_TypeError) ||
            PyErr_ExceptionMatches(PyExc_IndexError)) {
            PyErr_Clear();
            return 0;
        }
        return -1;
    }
    int good = PyObject_IsTrue(verdict);
    Py_DECREF(verdict);
    if (good <= 0) {
        *facts = FACT_SIGNATURE;
        return good;
    }
    *facts = 0;
    int64_t original = U32(w, 4);
    int f = 0;
    if (ttl > original)
        f |= WARN_ORIGINAL_TTL;
    if (rrsig_ttl > original)
        f |= WARN_RRSIG_TTL;
    if (j->now + (ttl < original ? ttl : original) > exp)
        f |= WARN_TTL_BEYOND;
    if (key->deprecated)
        f |= WARN_DEPRECATED;
    *inception = inc;
    *expiration = exp;
    *algorithm = alg;
    *tag = keytag;
    *flags = f;
    return 1;
}

/* The counts of the VALID signatures without warnings, which Python only counts. */
typedef struct {
    Py_ssize_t count, soon;
    int64_t latest;
    PyObject *days; /* dict: UTC day number -> signatures expiring that day */
    int64_t run_day;
    Py_ssize_t run; /* signatures of run_day not yet added to days */
} Plain;

static int
flush_day(Plain *p)
{
    if (!p->run)
        return 0;
    PyObject *day = PyLong_FromLongLong(p->run_day);
    if (!day)
        return -1;
    PyObject *old = PyDict_GetItemWithError(p->days, day);
    Py_ssize_t before = old ? PyLong_AsSsize_t(old) : 0;
    PyObject *total = PyErr_Occurred() ? NULL : PyLong_FromSsize_t(before + p->run);
    int failed = !total || PyDict_SetItem(p->days, day, total) < 0;
    Py_XDECREF(total);
    Py_DECREF(day);
    p->run = 0;
    return failed ? -1 : 0;
}

static int
count_plain(const Judge *j, Plain *p, int64_t exp)
{
    /* floor division, as Python's expiration // 86400 */
    int64_t day = exp / 86400 - (exp % 86400 < 0);
    if (p->run && day != p->run_day && flush_day(p) < 0)
        return -1;
    p->run_day = day;
    p->run++;
    if (!p->count++ || exp > p->latest)
        p->latest = exp;
    if (j->now <= exp && exp <= j->horizon)
        p->soon++;
    return 0;
}

static int
parse_keys(Judge *j, PyObject *keys)
{
    PyObject *seq = PySequence_Fast(keys, "judge: keys must be a sequence");
    if (!seq)
        return -1;
    j->key_count = 0;
    /* more keys than fit are left to the reference path */
    for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(seq) && j->key_count < MAX_FAST_KEYS;
         k++) {
        Key *key = &j->keys[j->key_count];
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, k), "iiOp", &key->algorithm,
                              &key->tag, &key->check, &key->deprecated)) {
            Py_DECREF(seq);
            return -1;
        }
        j->key_count++;
    }
    Py_DECREF(seq);
    return 0;
}

/* What the fast path made of one RRSIG of a batch. */
typedef struct {
    Py_ssize_t item, sig;
    int valid, flags, algorithm, tag, facts;
    int64_t inception, expiration;
} Outcome;

/* Every RRSIG of ``items`` through judge_one, into *out (PyMem, *count of them). */
static int
judge_all(const Judge *j, PyObject *items, int usable_times, Outcome **out, Py_ssize_t *count)
{
    Py_ssize_t cap = 0, n = 0;
    Outcome *all = NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); i++) {
        PyObject *item = PyList_GET_ITEM(items, i);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 6 ||
            !PyBytes_Check(PyTuple_GET_ITEM(item, 0)) || !PyTuple_Check(PyTuple_GET_ITEM(item, 3)) ||
            !PyTuple_Check(PyTuple_GET_ITEM(item, 5))) {
            PyErr_SetString(PyExc_TypeError, "judge: items must be WorkItems");
            goto fail;
        }
        PyObject *owner = PyTuple_GET_ITEM(item, 0), *rdatas = PyTuple_GET_ITEM(item, 3);
        PyObject *rrsigs = PyTuple_GET_ITEM(item, 5);
        long long rdtype = PyLong_AsLongLong(PyTuple_GET_ITEM(item, 1));
        long long ttl = PyLong_AsLongLong(PyTuple_GET_ITEM(item, 2));
        long long rrsig_ttl = PyLong_AsLongLong(PyTuple_GET_ITEM(item, 4));
        if (PyErr_Occurred())
            goto fail;
        const unsigned char *o = (const unsigned char *)PyBytes_AS_STRING(owner);
        Py_ssize_t olen = PyBytes_GET_SIZE(owner);
        int labels = rrsig_labels(o, olen);
        Py_INCREF(item); /* the verifiers run Python code: keep what we point into */
        int usable = usable_times && labels >= 0 && rdtype >= 0 && rdtype <= 0xFFFF;
        for (Py_ssize_t s = 0; s < PyTuple_GET_SIZE(rrsigs); s++) {
            if (n == cap) {
                cap = cap ? cap * 2 : 512;
                Outcome *grown = PyMem_Realloc(all, sizeof(Outcome) * (size_t)cap);
                if (!grown) {
                    Py_DECREF(item);
                    PyErr_NoMemory();
                    goto fail;
                }
                all = grown;
            }
            Outcome *r = &all[n++];
            memset(r, 0, sizeof(*r));
            r->item = i;
            r->sig = s;
            r->facts = FACT_UNDECIDED;
            PyObject *wire = PyTuple_GET_ITEM(rrsigs, s);
            if (usable && PyBytes_Check(wire)) {
                r->valid = judge_one(j, o, olen, (int)rdtype, labels, ttl, rrsig_ttl, rdatas, wire,
                                     &r->inception, &r->expiration, &r->algorithm, &r->tag,
                                     &r->flags, &r->facts);
                if (r->valid < 0) {
                    Py_DECREF(item);
                    goto fail;
                }
            }
        }
        Py_DECREF(item);
    }
    *out = all;
    *count = n;
    return 0;
fail:
    PyMem_Free(all);
    return -1;
}

/* judge(items, origin, now, horizon, keys, limit_exceeded, max_records)
 *   -> (others, plain_count, days, soon, latest)
 * workers.fast_facts and the counting of workers.judge_items for a batch of WorkItems
 * (a list). keys: (algorithm, key tag, verify(signature, data) -> bool, deprecated)
 * for each key workers.fast_keys accepts. Each VALID signature without warnings is
 * only counted (plain_count, days: {UTC day: count}, soon: expiring by horizon,
 * latest expiration or None), except the first with the batch's earliest expiration
 * among them, which could be the batch's earliest signature. It and every other
 * RRSIG are in ``others``, in order, as (item index, RRSIG index, facts or (algorithm,
 * key tag, inception, expiration, warning flags)): facts (an int, RrsigFact bits)
 * means not VALID, and the reference path judges it. */
static PyObject *
judge(PyObject *self, PyObject *args)
{
    PyObject *items, *keys, *origin;
    long long now, horizon;
    int limit_exceeded;
    Py_ssize_t max_records;
    if (!PyArg_ParseTuple(args, "O!SLLOpn", &PyList_Type, &items, &origin, &now, &horizon, &keys,
                          &limit_exceeded, &max_records))
        return NULL;
    Judge j;
    j.now = now;
    j.horizon = horizon;
    j.origin = (const unsigned char *)PyBytes_AS_STRING(origin);
    j.origin_len = PyBytes_GET_SIZE(origin);
    j.limit_exceeded = limit_exceeded;
    j.max_records = max_records;
    if (parse_keys(&j, keys) < 0)
        return NULL;
    /* far from the epoch the serial arithmetic is left to Python's integers */
    int usable_times =
        now > -SAFE_TIME && now < SAFE_TIME && horizon > -SAFE_TIME && horizon < SAFE_TIME;
    Outcome *all = NULL;
    Py_ssize_t n = 0;
    if (judge_all(&j, items, usable_times, &all, &n) < 0)
        return NULL;
    Py_ssize_t earliest = -1;
    for (Py_ssize_t k = 0; k < n; k++)
        if (all[k].valid && !all[k].flags &&
            (earliest < 0 || all[k].expiration < all[earliest].expiration))
            earliest = k;
    Plain p = {0, 0, 0, PyDict_New(), 0, 0};
    PyObject *others = PyList_New(0), *result = NULL;
    if (!p.days || !others)
        goto done;
    for (Py_ssize_t k = 0; k < n; k++) {
        const Outcome *r = &all[k];
        if (r->valid && !r->flags && k != earliest) {
            if (count_plain(&j, &p, r->expiration) < 0)
                goto done;
            continue;
        }
        PyObject *entry = r->valid ? Py_BuildValue("(nn(iiLLi))", r->item, r->sig, r->algorithm,
                                                   r->tag, (long long)r->inception,
                                                   (long long)r->expiration, r->flags)
                                   : Py_BuildValue("(nni)", r->item, r->sig, r->facts);
        if (!entry || PyList_Append(others, entry) < 0) {
            Py_XDECREF(entry);
            goto done;
        }
        Py_DECREF(entry);
    }
    if (flush_day(&p) < 0)
        goto done;
    if (p.count)
        result = Py_BuildValue("(OnOnL)", others, p.count, p.days, p.soon, (long long)p.latest);
    else
        result = Py_BuildValue("(OnOnO)", others, p.count, p.days, p.soon, Py_None);
done:
    PyMem_Free(all);
    Py_XDECREF(others);
    Py_XDECREF(p.days);
    return result;
}

/* configure(record_type, types: list[tuple[str, int]], classes: list[str]) */
static PyObject *
configure(PyObject *self, PyObject *args)
{
    PyObject *rtype, *types, *classes;
    if (!PyArg_ParseTuple(args, "O!O!O!", &PyType_Type, &rtype, &PyList_Type, &types,
                          &PyList_Type, &classes))
        return NULL;
    PyTypeObject *t = (PyTypeObject *)rtype;
    if (!PyType_IsSubtype(t, &PyTuple_Type) || t->tp_basicsize != PyTuple_Type.tp_basicsize ||
        t->tp_itemsize != PyTuple_Type.tp_itemsize) {
        PyErr_SetString(PyExc_TypeError, "configure: the record type must be a plain tuple subclass");
        return NULL;
    }
    memset(type_table, 0, sizeof(type_table));
    type_count = 0;
    class_count = 0;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(types); k++) {
        const char *name;
        Py_ssize_t len;
        int value;
        char buf[WORD_MAX];
        if (!PyArg_ParseTuple(PyList_GET_ITEM(types, k), "s#i", &name, &len, &value))
            return NULL;
        int n = upper_word(name, len, buf);
        if (!n || value <= 0 || value > 0xFFFF || (size_t)n != strlen(buf))
            continue; /* not representable here: such tokens are deferred */
        if (type_count >= TYPE_SLOTS / 2) {
            PyErr_SetString(PyExc_ValueError, "configure: too many types");
            return NULL;
        }
        unsigned slot = word_hash(buf, n) & (TYPE_SLOTS - 1);
        while (type_table[slot].len)
            slot = (slot + 1) & (TYPE_SLOTS - 1);
        memcpy(type_table[slot].name, buf, WORD_MAX);
        type_table[slot].len = n;
        type_table[slot].value = value;
        type_count++;
    }
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(classes); k++) {
        const char *name;
        Py_ssize_t len;
        PyObject *item = PyList_GET_ITEM(classes, k);
        if (!PyUnicode_Check(item) || !(name = PyUnicode_AsUTF8AndSize(item, &len)))
            return NULL;
        if (class_count >= CLASS_MAX) {
            PyErr_SetString(PyExc_ValueError, "configure: too many classes");
            return NULL;
        }
        if (!upper_word(name, len, class_words[class_count].name))
            continue;
        class_words[class_count].len = (int)len;
        class_count++;
    }
    Py_INCREF(rtype);
    Py_XSETREF(record_type, t);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_VARARGS,
     "scan(lines, pos, lineno, origin, last_owner, last_ttl, last_ttl_known, default_ttl,\n"
     "     default_ttl_known, default_ttl_from_soa)\n"
     "-> (records, pos, lineno, last_owner, last_ttl, last_ttl_known)\n\n"
     "Read records from lines[pos:] until one this module does not vouch for."},
    {"signed_data", signed_data, METH_VARARGS,
     "signed_data(wire, owner, rdtype, rdatas, origin, labels)\n"
     "-> (algorithm, key_tag, original_ttl, expiration, inception, signature, data) | None"},
    {"judge", judge, METH_VARARGS,
     "judge(items, origin, now, horizon, keys, limit_exceeded, max_records)\n"
     "-> (others, plain_count, days, soon, latest)"},
    {"configure", configure, METH_VARARGS,
     "configure(record_type, [(type word, value), ...], [other class words])"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_czone", "The zone-file reader's hot loop in C (see reader.py).", -1,
    methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__czone(void)
{
    init_tables();
    init_char_class();
    PyObject *m = PyModule_Create(&module);
    if (m && (PyModule_AddIntMacro(m, FACT_TYPE) < 0 ||
              PyModule_AddIntMacro(m, MAX_LOGICAL_LINE) < 0 || PyModule_AddIntMacro(m, FACT_LABELS) < 0 ||
              PyModule_AddIntMacro(m, FACT_RECORDS) < 0 ||
              PyModule_AddIntMacro(m, FACT_NEVER_VALID) < 0 ||
              PyModule_AddIntMacro(m, FACT_SIGNATURE) < 0 ||
              PyModule_AddIntMacro(m, FACT_UNDECIDED) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
