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
#include "_czone.h"

#include <arpa/inet.h>
#include <string.h>

#define MAX_TOKENS 512    /* more tokens in one record: defer */
#define RDATA_MAX 65535   /* larger RDATA: defer */
#define NAME_MAX_WIRE 255 /* RFC 1035 3.1 */
#define MAX_TTL 0xFFFFFFFFu /* dns.ttl.MAX_TTL */
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

void
czone_init_tables(void)
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

void
czone_init_char_class(void)
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

PyObject *
czone_scan(PyObject *self, PyObject *args)
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

/* configure(record_type, types: list[tuple[str, int]], classes: list[str]) */
PyObject *
czone_configure(PyObject *self, PyObject *args)
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

