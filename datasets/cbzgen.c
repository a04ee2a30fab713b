/*
 * cbzgen.c — the deterministic generator of realistic mainframe extracts used
 * by `make run`, the tests and the benchmarks.
 *
 *   cbzgen KIND (--records N | --size-mb M) [--seed S] [--codepage CP] [--force] -o FILE
 *
 * KIND is one of transactions, customers, ledger, vb; each has its copybook in
 * copybooks/<kind>.cpy, and this file writes exactly the bytes that copybook
 * describes.  "Realistic" means shaped like real extracts, because compression
 * benchmarks run on them: keys sorted ascending, dates in a range and
 * increasing per key, amounts mostly small with some refunds, names drawn from
 * lists with a Zipf-like skew, text padded with spaces, unused areas filled.
 *
 * Determinism: the only randomness is splitmix64 seeded by --seed, and every
 * computation is integer arithmetic, so the same arguments give the same bytes
 * on every machine.  Text is composed in ASCII and mapped to the output code
 * page through the library's code page table; zoned digits and signs follow the
 * page (EBCDIC F0-F9 with C/D sign zones, or ASCII 30-39 with the GnuCOBOL
 * negative overpunch 70-79).  Binary fields are big-endian as on z/OS.
 */
#include "cobzip.h"
#include "internal.h"
#include "outfile.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------
 * Random numbers: splitmix64 (Steele, Lea, Flood 2014).
 * ---------------------------------------------------------------------- */
typedef struct rng {
    uint64_t state;
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0.  The modulo bias is below 2^-40 for our n. */
static uint64_t rng_below(rng *r, uint64_t n) { return rng_next(r) % n; }

/* Uniform in [lo, hi]. */
/* A value in [lo, hi]; requires lo <= hi. */
static int64_t rng_range(rng *r, int64_t lo, int64_t hi)
{
    assert(lo <= hi);
    return lo + (int64_t)rng_below(r, (uint64_t)(hi - lo + 1));
}

/* True with probability permille/1000. */
static bool rng_chance(rng *r, unsigned permille) { return rng_below(r, 1000) < permille; }

/* ------------------------------------------------------------------------
 * Zipf-like choice among n items: weight of item k is 1/(k+1), in integers.
 * ---------------------------------------------------------------------- */
typedef struct zipf {
    uint64_t *cum;   /* cum[k] = sum of weights 0..k */
    size_t n;
} zipf;

static bool zipf_init(zipf *z, size_t n)
{
    z->n = n;
    z->cum = malloc(n * sizeof *z->cum);
    if (!z->cum) return false;
    uint64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        total += 1000000000ull / (k + 1);
        z->cum[k] = total;
    }
    return true;
}

static size_t zipf_pick(const zipf *z, rng *r)
{
    uint64_t x = rng_below(r, z->cum[z->n - 1]);
    size_t lo = 0, hi = z->n - 1;
    while (lo < hi) {               /* first k with cum[k] > x */
        size_t mid = lo + (hi - lo) / 2;
        if (z->cum[mid] > x) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------
 * Field writers.  Every writer fills exactly `len` bytes at dst.
 * ---------------------------------------------------------------------- */
typedef struct encoder {
    uint8_t from_ascii[128];   /* ASCII character -> byte in the output page */
    bool ebcdic;
    uint8_t space;
    uint8_t zone;              /* zone of an unsigned digit: 0xF0 or 0x30 */
} encoder;

static bool encoder_init(encoder *e, const cbz_codepage *cp)
{
    bool seen[128] = { false };
    for (int b = 255; b >= 0; b--) {   /* lowest byte wins when a page repeats a character */
        uint16_t u = cp->to_unicode[b];
        if (u < 128) {
            e->from_ascii[u] = (uint8_t)b;
            seen[u] = true;
        }
    }
    for (int c = 32; c < 127; c++)
        if (!seen[c]) return false;    /* every printable ASCII character must exist */
    e->ebcdic = cp->is_ebcdic;
    e->space = cp->space;
    e->zone = cp->zone_digit;
    return true;
}

/* Text, left-justified and padded with spaces (truncated when longer). */
static void put_text(const encoder *e, uint8_t *dst, size_t len, const char *s)
{
    size_t i = 0;
    for (; i < len && s[i]; i++) dst[i] = e->from_ascii[(unsigned char)s[i] & 0x7F];
    for (; i < len; i++) dst[i] = e->space;
}

/* Unsigned zoned decimal, zero-filled on the left; v must fit in len digits. */
static void put_zoned(const encoder *e, uint8_t *dst, size_t len, uint64_t v)
{
    for (size_t i = len; i-- > 0;) {
        dst[i] = (uint8_t)(e->zone | (v % 10));
        v /= 10;
    }
}

/* Signed zoned decimal, sign overpunched in the last digit (IBM default). */
static void put_zoned_signed(const encoder *e, uint8_t *dst, size_t len, int64_t v)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    put_zoned(e, dst, len, mag);
    uint8_t digit = dst[len - 1] & 0x0F;
    if (e->ebcdic) dst[len - 1] = (uint8_t)((v < 0 ? 0xD0 : 0xC0) | digit);
    else if (v < 0) dst[len - 1] = (uint8_t)(0x70 | digit);
}

/* Packed decimal in len bytes (2*len-1 digits); sign nibble C/D, or F when unsigned. */
static void put_packed(uint8_t *dst, size_t len, int64_t v, bool is_signed)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint8_t sign = !is_signed ? 0x0F : v < 0 ? 0x0D : 0x0C;
    dst[len - 1] = (uint8_t)((mag % 10) << 4 | sign);
    mag /= 10;
    for (size_t i = len - 1; i-- > 0;) {
        uint8_t lo = (uint8_t)(mag % 10);
        mag /= 10;
        uint8_t hi = (uint8_t)(mag % 10);
        mag /= 10;
        dst[i] = (uint8_t)(hi << 4 | lo);
    }
}

/* Big-endian two's complement binary. */
static void put_binary(uint8_t *dst, size_t len, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (size_t i = len; i-- > 0;) {
        dst[i] = (uint8_t)u;
        u >>= 8;
    }
}

/* ------------------------------------------------------------------------
 * Calendar: day numbers to YYYYMMDD, integers only.
 * ---------------------------------------------------------------------- */
static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Day `n` counted from 1 January of `year` (n may span years). */
static uint32_t date_of(int year, int n)
{
    int m = 1;
    for (;;) {
        int in_year = is_leap(year) ? 366 : 365;
        if (n < in_year) break;
        n -= in_year;
        year++;
    }
    while (n >= days_in_month(year, m)) {
        n -= days_in_month(year, m);
        m++;
    }
    return (uint32_t)(year * 10000 + m * 100 + n + 1);
}

/* ------------------------------------------------------------------------
 * Word lists.
 * ---------------------------------------------------------------------- */
static const char *const last_names[] = {
    "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS",
    "RODRIGUEZ", "MARTINEZ", "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON",
    "THOMAS", "TAYLOR", "MOORE", "JACKSON", "MARTIN", "LEE", "PEREZ", "THOMPSON",
    "WHITE", "HARRIS", "SANCHEZ", "CLARK", "RAMIREZ", "LEWIS", "ROBINSON", "WALKER",
    "YOUNG", "ALLEN", "KING", "WRIGHT", "SCOTT", "TORRES", "NGUYEN", "HILL", "FLORES",
    "GREEN", "ADAMS", "NELSON", "BAKER", "HALL", "RIVERA", "CAMPBELL", "MITCHELL",
    "CARTER", "ROBERTS", "GOMEZ", "PHILLIPS", "EVANS", "TURNER", "DIAZ", "PARKER",
    "CRUZ", "EDWARDS", "COLLINS", "REYES", "STEWART", "MORRIS", "MORALES", "MURPHY",
    "COOK", "ROGERS", "GUTIERREZ", "ORTIZ", "MORGAN", "COOPER", "PETERSON", "BAILEY",
    "REED", "KELLY", "HOWARD", "RAMOS", "KIM", "COX", "WARD", "RICHARDSON", "WATSON",
    "BROOKS", "CHAVEZ", "WOOD", "JAMES", "BENNETT", "GRAY", "MENDOZA", "RUIZ",
    "HUGHES", "PRICE", "ALVAREZ", "CASTILLO", "SANDERS", "PATEL", "MYERS", "LONG",
    "ROSS", "FOSTER", "JIMENEZ", "O'BRIEN", "MUELLER", "SCHMIDT", "DUBOIS", "ROSSI",
};

static const char *const first_names[] = {
    "JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL", "LINDA",
    "DAVID", "ELIZABETH", "WILLIAM", "BARBARA", "RICHARD", "SUSAN", "JOSEPH", "JESSICA",
    "THOMAS", "SARAH", "CHARLES", "KAREN", "CHRISTOPHER", "LISA", "DANIEL", "NANCY",
    "MATTHEW", "BETTY", "ANTHONY", "MARGARET", "MARK", "SANDRA", "DONALD", "ASHLEY",
    "STEVEN", "KIMBERLY", "PAUL", "EMILY", "ANDREW", "DONNA", "JOSHUA", "MICHELLE",
    "KENNETH", "CAROL", "KEVIN", "AMANDA", "BRIAN", "DOROTHY", "GEORGE", "MELISSA",
    "TIMOTHY", "DEBORAH", "RONALD", "STEPHANIE", "EDWARD", "REBECCA", "JASON", "SHARON",
    "JEFFREY", "LAURA", "RYAN", "CYNTHIA", "JACOB", "KATHLEEN", "GARY", "AMY",
    "NICHOLAS", "ANGELA", "ERIC", "SHIRLEY", "JONATHAN", "ANNA", "STEPHEN", "BRENDA",
    "LARRY", "PAMELA", "JUSTIN", "EMMA", "SCOTT", "NICOLE", "BRANDON", "HELEN",
    "BENJAMIN", "SAMANTHA", "SAMUEL", "KATHERINE", "GREGORY", "CHRISTINE", "ALEXANDER",
    "DEBRA", "FRANK", "RACHEL", "PATRICK", "CAROLYN", "RAYMOND", "JANET", "JACK",
    "CATHERINE", "DENNIS", "MARIA", "JERRY", "HEATHER",
};

typedef struct place {
    const char *city;
    const char *state;     /* US state, or region code elsewhere */
    const char *country;   /* ISO 3166 alpha-2 */
    const char *currency;  /* ISO 4217 */
    uint32_t zip;          /* first ZIP of the city (US), else a postal number */
} place;

static const place places[] = {
    { "NEW YORK", "NY", "US", "USD", 10001 },      { "LOS ANGELES", "CA", "US", "USD", 90001 },
    { "CHICAGO", "IL", "US", "USD", 60601 },       { "HOUSTON", "TX", "US", "USD", 77001 },
    { "PHOENIX", "AZ", "US", "USD", 85001 },       { "PHILADELPHIA", "PA", "US", "USD", 19101 },
    { "SAN ANTONIO", "TX", "US", "USD", 78201 },   { "SAN DIEGO", "CA", "US", "USD", 92101 },
    { "DALLAS", "TX", "US", "USD", 75201 },        { "SAN JOSE", "CA", "US", "USD", 95101 },
    { "AUSTIN", "TX", "US", "USD", 73301 },        { "JACKSONVILLE", "FL", "US", "USD", 32099 },
    { "COLUMBUS", "OH", "US", "USD", 43085 },      { "CHARLOTTE", "NC", "US", "USD", 28201 },
    { "INDIANAPOLIS", "IN", "US", "USD", 46201 },  { "SEATTLE", "WA", "US", "USD", 98101 },
    { "DENVER", "CO", "US", "USD", 80201 },        { "BOSTON", "MA", "US", "USD", 2101 },
    { "NASHVILLE", "TN", "US", "USD", 37201 },     { "DETROIT", "MI", "US", "USD", 48201 },
    { "PORTLAND", "OR", "US", "USD", 97201 },      { "LAS VEGAS", "NV", "US", "USD", 88901 },
    { "MEMPHIS", "TN", "US", "USD", 37501 },       { "ATLANTA", "GA", "US", "USD", 30301 },
    { "MIAMI", "FL", "US", "USD", 33101 },         { "MINNEAPOLIS", "MN", "US", "USD", 55401 },
    { "CLEVELAND", "OH", "US", "USD", 44101 },     { "TAMPA", "FL", "US", "USD", 33601 },
    { "PITTSBURGH", "PA", "US", "USD", 15201 },    { "CINCINNATI", "OH", "US", "USD", 45201 },
    { "ST LOUIS", "MO", "US", "USD", 63101 },      { "RALEIGH", "NC", "US", "USD", 27601 },
    { "TORONTO", "ON", "CA", "CAD", 51000 },       { "MONTREAL", "QC", "CA", "CAD", 31000 },
    { "LONDON", "EN", "GB", "GBP", 10000 },        { "MANCHESTER", "EN", "GB", "GBP", 16000 },
    { "PARIS", "IF", "FR", "EUR", 75001 },         { "BERLIN", "BE", "DE", "EUR", 10115 },
    { "FRANKFURT", "HE", "DE", "EUR", 60306 },     { "MADRID", "MD", "ES", "EUR", 28001 },
    { "ROME", "LZ", "IT", "EUR", 118 },            { "AMSTERDAM", "NH", "NL", "EUR", 1011 },
    { "MEXICO CITY", "DF", "MX", "MXN", 1000 },    { "CANCUN", "QR", "MX", "MXN", 77500 },
    { "TOKYO", "13", "JP", "JPY", 1000 },          { "ZURICH", "ZH", "CH", "CHF", 8001 },
};
#define N_US_PLACES 32   /* the first 32 places are in the US */

static const char *const streets[] = {
    "MAIN ST", "OAK AVE", "MAPLE AVE", "PARK AVE", "ELM ST", "WASHINGTON BLVD",
    "LAKE DR", "HILL RD", "CEDAR LN", "PINE ST", "SECOND ST", "THIRD AVE",
    "BROADWAY", "SUNSET BLVD", "RIVER RD", "CHURCH ST", "MARKET ST", "HIGHLAND AVE",
    "JEFFERSON ST", "LINCOLN WAY", "FOREST DR", "MEADOW LN", "SPRING ST", "WALNUT ST",
};

typedef struct chain {
    const char *name;
    uint16_t mcc;
    bool online;
} chain;

/* Chains in rough order of popularity; the merchant table draws from them. */
static const chain chains[] = {
    { "AMAZON MKTPLACE PMTS", 5942, true },  { "WALMART SUPERCENTER", 5411, false },
    { "STARBUCKS", 5814, false },            { "SHELL OIL", 5541, false },
    { "MCDONALD'S", 5814, false },           { "TARGET", 5310, false },
    { "UBER *TRIP", 4121, true },            { "NETFLIX.COM", 4899, true },
    { "KROGER", 5411, false },               { "COSTCO WHSE", 5300, false },
    { "CVS/PHARMACY", 5912, false },         { "WALGREENS", 5912, false },
    { "CHEVRON", 5542, false },              { "HOME DEPOT", 5200, false },
    { "APPLE.COM/BILL", 5818, true },        { "SPOTIFY USA", 5815, true },
    { "EXXONMOBIL", 5541, false },           { "DUNKIN", 5814, false },
    { "CHIPOTLE", 5814, false },             { "LOWE'S", 5200, false },
    { "SAFEWAY", 5411, false },              { "TRADER JOE'S", 5411, false },
    { "WHOLE FOODS MKT", 5411, false },      { "BEST BUY", 5732, false },
    { "DOORDASH*", 5812, true },             { "LYFT *RIDE", 4121, true },
    { "SUBWAY", 5814, false },               { "BP", 5541, false },
    { "TACO BELL", 5814, false },            { "PUBLIX", 5411, false },
    { "WENDY'S", 5814, false },              { "CHICK-FIL-A", 5814, false },
    { "7-ELEVEN", 5499, false },             { "DOLLAR GENERAL", 5331, false },
    { "GOOGLE *SERVICES", 5818, true },      { "PAYPAL *EBAY", 5999, true },
    { "SQ *COFFEE BAR", 5814, false },       { "SQ *FARMERS MARKET", 5499, false },
    { "AT&T BILL PAYMENT", 4814, true },     { "VERIZON WRLS", 4814, true },
    { "COMCAST CABLE", 4899, true },         { "MARATHON PETRO", 5541, false },
    { "ALDI", 5411, false },                 { "IKEA", 5712, false },
    { "MACY'S", 5311, false },               { "NORDSTROM", 5651, false },
    { "TJ MAXX", 5651, false },              { "ROSS STORES", 5651, false },
    { "OLD NAVY", 5651, false },             { "GAP", 5651, false },
    { "NIKE.COM", 5661, true },              { "ETSY.COM", 5999, true },
    { "DELTA AIR LINES", 3058, true },       { "UNITED AIRLINES", 3000, true },
    { "AMERICAN AIRLINES", 3001, true },     { "SOUTHWEST AIRLINES", 3066, true },
    { "MARRIOTT", 3509, false },             { "HILTON HOTELS", 3504, false },
    { "HERTZ RENT-A-CAR", 3357, false },     { "AIRBNB", 4722, true },
    { "EXPEDIA", 4722, true },               { "BOOKING.COM", 4722, true },
    { "PANERA BREAD", 5814, false },         { "DOMINO'S", 5814, true },
    { "PIZZA HUT", 5814, false },            { "BURGER KING", 5814, false },
    { "OLIVE GARDEN", 5812, false },         { "APPLEBEE'S", 5812, false },
    { "CHEESECAKE FACTORY", 5812, false },   { "PETSMART", 5995, false },
    { "PETCO", 5995, false },                { "AUTOZONE", 5533, false },
    { "JIFFY LUBE", 7538, false },           { "GREAT CLIPS", 7230, false },
    { "PLANET FITNESS", 7997, false },       { "ATM WITHDRAWAL", 6011, false },
    { "STATE FARM INSURANCE", 6300, true },  { "GEICO", 6300, true },
    { "DUKE ENERGY", 4900, true },           { "CITY WATER DEPT", 4900, true },
    { "SEPHORA", 5977, false },              { "ULTA BEAUTY", 5977, false },
    { "BARNES & NOBLE", 5942, false },       { "STAPLES", 5943, false },
    { "OFFICE DEPOT", 5943, false },         { "MICROSOFT*XBOX", 5816, true },
    { "STEAM PURCHASE", 5816, true },        { "HULU", 4899, true },
    { "DISNEY PLUS", 4899, true },           { "AMC THEATRES", 7832, false },
    { "TICKETMASTER", 7922, true },          { "EXPRESS CAR WASH", 7542, false },
    { "LA FITNESS", 7997, false },           { "RITE AID", 5912, false },
    { "FAMILY DOLLAR", 5331, false },        { "KOHL'S", 5311, false },
    { "WAYFAIR", 5712, true },               { "CHEWY.COM", 5995, true },
    { "INSTACART", 5411, true },             { "GRUBHUB*", 5812, true },
    { "FEDEX OFFICE", 7338, false },         { "USPS PO", 9402, false },
    { "CIRCLE K", 5541, false },             { "SUNOCO", 5541, false },
    { "WAWA", 5541, false },                 { "SHEETZ", 5541, false },
    { "H-E-B", 5411, false },                { "MEIJER", 5411, false },
    { "WEGMANS", 5411, false },              { "SPROUTS FARMERS MKT", 5411, false },
    { "FIVE GUYS", 5814, false },            { "SHAKE SHACK", 5814, false },
    { "PANDA EXPRESS", 5814, false },        { "JERSEY MIKE'S", 5814, false },
    { "LOCAL DINER", 5812, false },          { "CORNER MARKET", 5499, false },
    { "MAIN ST PHARMACY", 5912, false },     { "CITY PARKING", 7523, false },
    { "METRO TRANSIT", 4111, false },        { "E-Z PASS", 4784, true },
};

enum { N_MERCHANTS = 500 };

typedef struct merchant {
    char name[32];
    uint32_t id;
    uint16_t mcc;
    uint8_t place;
    bool online;
} merchant;

/* Builds the fixed merchant table: popular chains get more stores. */
static void build_merchants(merchant *m, rng *r)
{
    zipf zc;
    if (!zipf_init(&zc, COUNT(chains))) abort();   /* a few hundred bytes at start-up */
    for (size_t i = 0; i < N_MERCHANTS; i++) {
        const chain *c = &chains[i < COUNT(chains) ? i : zipf_pick(&zc, r)];
        m[i].mcc = c->mcc;
        m[i].online = c->online;
        m[i].id = (uint32_t)(100000000 + i * 7919 + rng_below(r, 7919));
        /* Online merchants bill from a few cities; stores are mostly in the US. */
        m[i].place = (uint8_t)(c->online ? rng_below(r, 4)
                               : rng_chance(r, 900) ? rng_below(r, N_US_PLACES)
                                                    : rng_below(r, COUNT(places)));
        if (c->online || c->mcc == 6011)
            snprintf(m[i].name, sizeof m[i].name, "%s", c->name);
        else
            snprintf(m[i].name, sizeof m[i].name, "%s #%05u", c->name,
                     (unsigned)rng_range(r, 1, 9999));
    }
    free(zc.cum);
}

/* ------------------------------------------------------------------------
 * The generator state shared by the kinds.
 * ---------------------------------------------------------------------- */
typedef struct gen {
    rng r;
    encoder enc;
    FILE *out;
    uint64_t max_records;      /* stop after this many records ...           */
    uint64_t max_bytes;        /* ... or once this many bytes are written    */
    uint64_t records;
    uint64_t bytes;
    zipf z_last, z_first, z_merchant, z_place, z_street;
    merchant merchants[N_MERCHANTS];
} gen;

static bool gen_done(const gen *g)
{
    return g->records >= g->max_records || (g->max_bytes && g->bytes >= g->max_bytes);
}

static cbz_status gen_write(gen *g, const void *p, size_t n, cbz_error *err)
{
    if (fwrite(p, 1, n, g->out) != n)
        return cbz_fail(err, CBZ_ERR_IO, "write failed after %" PRIu64 " bytes: %s", g->bytes,
                        strerror(errno));
    g->bytes += n;
    return CBZ_OK;
}

/* Amount in cents, shaped like card spending: many small, a long tail. */
static int64_t card_amount(rng *r)
{
    uint64_t b = rng_below(r, 1000);
    int64_t cents;
    if (b < 350) cents = rng_range(r, 100, 1500);            /* coffee, parking */
    else if (b < 700) cents = rng_range(r, 1500, 6000);      /* groceries, fuel */
    else if (b < 900) cents = rng_range(r, 6000, 25000);
    else if (b < 980) cents = rng_range(r, 25000, 150000);
    else cents = rng_range(r, 150000, 1200000);              /* travel, electronics */
    if (rng_chance(r, 250)) cents = cents / 100 * 100 + 99; /* prices ending in .99 */
    else if (rng_chance(r, 150)) cents = cents / 100 * 100;
    return cents;
}

/* Exchange rate to USD with 6 decimals, a little noise per day. */
static int64_t fx_rate(const char *currency, rng *r)
{
    static const struct { const char *code; int64_t rate; } rates[] = {
        { "USD", 1000000 }, { "CAD", 735000 }, { "GBP", 1268000 }, { "EUR", 1085000 },
        { "MXN", 58500 },   { "JPY", 6700 },   { "CHF", 1120000 },
    };
    for (size_t i = 0; i < COUNT(rates); i++)
        if (strcmp(rates[i].code, currency) == 0)
            return i == 0 ? rates[i].rate : rates[i].rate + rng_range(r, -rates[i].rate / 50, rates[i].rate / 50);
    return 1000000;
}

/* ------------------------------------------------------------------------
 * transactions: copybooks/transactions.cpy, LRECL 150.
 * ---------------------------------------------------------------------- */
enum { TRAN_LRECL = 150 };

static cbz_status gen_transactions(gen *g, cbz_error *err)
{
    rng *r = &g->r;
    uint8_t rec[TRAN_LRECL];
    uint64_t account = 4000123400000000ull / 10000;   /* 12 digits */
    uint64_t tran_id = 202500000000001ull;
    static const char alnum[] = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

    while (!gen_done(g)) {
        account += (uint64_t)rng_range(r, 1, 40);
        unsigned n_tx = (unsigned)(rng_chance(r, 100) ? rng_range(r, 40, 160) : rng_range(r, 1, 30));
        unsigned last4 = (unsigned)rng_below(r, 10000);
        int day = (int)rng_below(r, 40);
        int second = (int)rng_range(r, 6 * 3600, 22 * 3600);
        int home = (int)zipf_pick(&g->z_place, r) % N_US_PLACES;
        int64_t running = rng_chance(r, 300) ? 0 : rng_range(r, -20000, 400000);   /* balance, cents */
        for (unsigned t = 0; t < n_tx && !gen_done(g); t++) {
            /* Posting date and time increase within the account. */
            int step = (int)rng_below(r, 3 * 365 / (n_tx + 1) + 1);
            if (day + step > 364) step = 364 - day;   /* the extract ends on 31 December */
            if (step > 0) {
                day += step;
                second = (int)rng_range(r, 0, 86399 / 2);
            } else {
                second += (int)rng_range(r, 1, (86399 - second) / 4 + 1);
            }
            if (second > 86399) second = 86399;
            const merchant *m = &g->merchants[zipf_pick(&g->z_merchant, r)];
            const place *pl = &places[m->online ? (unsigned)m->place : rng_chance(r, 700) ? (unsigned)home : m->place];

            int64_t cents = card_amount(r);
            const char *type = "PU";
            char channel = m->online ? 'E' : 'P';
            if (m->mcc == 6011) {
                type = "CA";
                channel = 'A';
                cents = rng_range(r, 2, 40) * 1000;
            } else if (rng_chance(r, 40)) {
                type = "RF";
                cents = -cents;
            } else if (rng_chance(r, 5)) {
                type = "FE";
                cents = rng_range(r, 1, 9) * 500;
            }
            if (m->online && rng_chance(r, 300)) channel = 'R';   /* recurring billing */
            char status = 'A';
            uint64_t s = rng_below(r, 1000);
            if (s < 30) status = 'D';
            else if (s < 40) status = 'R';
            else if (s < 50) status = 'P';

            memset(rec, 0, sizeof rec);
            put_zoned(&g->enc, rec + 0, 12, account);
            put_packed(rec + 12, 8, (int64_t)tran_id++, false);
            put_zoned(&g->enc, rec + 20, 8, date_of(2025, day));
            put_zoned(&g->enc, rec + 28, 6, (uint64_t)(second / 3600 * 10000 + second / 60 % 60 * 100 + second % 60));
            put_text(&g->enc, rec + 34, 2, type);
            put_packed(rec + 36, 6, cents, true);
            put_text(&g->enc, rec + 42, 3, pl->currency);
            put_binary(rec + 45, 4, m->id);
            put_text(&g->enc, rec + 49, 30, m->name);
            put_text(&g->enc, rec + 79, 20, pl->city);
            put_text(&g->enc, rec + 99, 2, pl->country);
            put_zoned(&g->enc, rec + 101, 4, m->mcc);
            put_text(&g->enc, rec + 105, 1, (char[]){ status, 0 });
            char auth[7] = "      ";
            if (status != 'D')
                for (int i = 0; i < 6; i++) auth[i] = alnum[rng_below(r, sizeof alnum - 1)];
            put_text(&g->enc, rec + 106, 6, auth);
            put_text(&g->enc, rec + 112, 1, (char[]){ channel, 0 });
            int64_t rate = fx_rate(pl->currency, r);
            int64_t billing = cents * rate / 1000000;
            put_packed(rec + 113, 6, billing, true);
            put_packed(rec + 119, 5, rate, false);
            int64_t points = status == 'A' ? billing / 100 * (m->mcc >= 5812 && m->mcc <= 5814 ? 3 : 1) : 0;
            put_packed(rec + 124, 4, points, true);
            put_zoned(&g->enc, rec + 128, 4, last4);
            if (status == 'A') running += billing;
            put_zoned_signed(&g->enc, rec + 132, 11, running);
            put_text(&g->enc, rec + 143, 7, "");
            CBZ_TRY(gen_write(g, rec, sizeof rec, err));
            g->records++;
        }
    }
    return CBZ_OK;
}

/* ------------------------------------------------------------------------
 * customers: copybooks/customers.cpy, LRECL 360.
 * ---------------------------------------------------------------------- */
enum { CUST_LRECL = 360, CUST_ADDR_SIZE = 60, CUST_PHONE_SIZE = 11 };

static uint64_t phone_number(rng *r)
{
    static const unsigned area[] = { 212, 213, 312, 713, 602, 215, 210, 619, 214, 408,
                                     512, 904, 614, 704, 317, 206, 303, 617, 615, 313 };
    return area[rng_below(r, COUNT(area))] * 10000000ull + (uint64_t)rng_range(r, 2000000, 9999999);
}

static cbz_status gen_customers(gen *g, cbz_error *err)
{
    rng *r = &g->r;
    uint8_t rec[CUST_LRECL];
    uint64_t id = 1000000000;
    static const char *const segments[] = { "RT", "RT", "RT", "RT", "PB", "SB", "ST", "WM" };
    static const char *const domains[] = { "GMAIL.COM", "YAHOO.COM", "OUTLOOK.COM", "AOL.COM",
                                           "ICLOUD.COM", "COMCAST.NET" };

    while (!gen_done(g)) {
        id += (uint64_t)rng_range(r, 1, 12);
        const char *last = last_names[zipf_pick(&g->z_last, r)];
        const char *first = first_names[zipf_pick(&g->z_first, r)];
        int birth_year = (int)rng_range(r, 1940, 2005);
        uint32_t birth = date_of(birth_year, (int)rng_below(r, 365));
        int open_year = birth_year + 18 + (int)rng_below(r, (uint64_t)(2026 - birth_year - 18));
        if (open_year > 2025) open_year = 2025;
        const char *segment = segments[rng_below(r, COUNT(segments))];
        char status = rng_chance(r, 920) ? 'A' : rng_chance(r, 500) ? 'C' : 'D';

        memset(rec, 0, sizeof rec);
        put_zoned(&g->enc, rec + 0, 10, id);
        put_text(&g->enc, rec + 10, 25, last);
        put_text(&g->enc, rec + 35, 20, first);
        put_text(&g->enc, rec + 55, 1, rng_chance(r, 600) ? (char[]){ (char)('A' + rng_below(r, 26)), 0 } : "");
        put_zoned(&g->enc, rec + 56, 8, birth);
        put_text(&g->enc, rec + 64, 1, rng_chance(r, 500) ? "F" : "M");
        put_text(&g->enc, rec + 65, 2, segment);
        put_text(&g->enc, rec + 67, 1, (char[]){ status, 0 });
        put_zoned(&g->enc, rec + 68, 8, date_of(open_year, (int)rng_below(r, 365)));

        unsigned n_addr = rng_chance(r, 600) ? 1 : rng_chance(r, 700) ? 2 : 3;
        put_zoned(&g->enc, rec + 76, 1, n_addr);
        static const char addr_types[] = "HMW";
        for (unsigned a = 0; a < 3; a++) {
            uint8_t *p = rec + 77 + a * CUST_ADDR_SIZE;
            if (a >= n_addr) {       /* unused slot: spaces, ZIP zero */
                put_text(&g->enc, p, 55, "");
                put_zoned(&g->enc, p + 53, 5, 0);
                put_text(&g->enc, p + 58, 2, "");
                continue;
            }
            const place *pl = &places[zipf_pick(&g->z_place, r) % N_US_PLACES];
            char line[40];
            snprintf(line, sizeof line, "%u %s", (unsigned)rng_range(r, 1, 9999),
                     streets[zipf_pick(&g->z_street, r)]);
            if (rng_chance(r, 200)) {
                size_t l = strlen(line);
                snprintf(line + l, sizeof line - l, " APT %u", (unsigned)rng_range(r, 1, 40));
            }
            put_text(&g->enc, p + 0, 1, (char[]){ addr_types[a], 0 });
            put_text(&g->enc, p + 1, 30, line);
            put_text(&g->enc, p + 31, 20, pl->city);
            put_text(&g->enc, p + 51, 2, pl->state);
            put_zoned(&g->enc, p + 53, 5, pl->zip + (uint32_t)rng_below(r, 60));
            put_text(&g->enc, p + 58, 2, pl->country);
        }

        unsigned n_phone = rng_chance(r, 550) ? 1 : 2;
        put_zoned(&g->enc, rec + 257, 1, n_phone);
        for (unsigned ph = 0; ph < 2; ph++) {
            uint8_t *p = rec + 258 + ph * CUST_PHONE_SIZE;
            put_text(&g->enc, p, 1, ph >= n_phone ? "" : ph == 0 ? "M" : "H");
            put_zoned(&g->enc, p + 1, 10, ph >= n_phone ? 0 : phone_number(r));
        }

        char email[64] = "";
        if (rng_chance(r, 850))
            snprintf(email, sizeof email, "%s.%s%u@%s", first, last, (unsigned)rng_below(r, 100),
                     domains[rng_below(r, COUNT(domains))]);
        put_text(&g->enc, rec + 280, 40, email);

        int64_t limit = rng_range(r, 1, 60) * 50000;               /* dollars, multiples of 500 */
        int64_t balance = rng_chance(r, 300) ? 0 : rng_range(r, 0, limit) * 100 / 3 + rng_below(r, 100);
        if (rng_chance(r, 30)) balance = -rng_range(r, 1, 50000);    /* credit balance */
        put_packed(rec + 320, 7, balance, true);
        put_binary(rec + 327, 4, limit);
        put_binary(rec + 331, 2, rng_range(r, 300, 850));
        put_zoned(&g->enc, rec + 333, 8, status == 'C' ? date_of(2023, (int)rng_below(r, 700))
                                                       : date_of(2025, (int)rng_range(r, 200, 364)));
        put_text(&g->enc, rec + 341, 19, "");
        CBZ_TRY(gen_write(g, rec, sizeof rec, err));
        g->records++;
    }
    return CBZ_OK;
}

/* ------------------------------------------------------------------------
 * ledger: copybooks/ledger.cpy, LRECL 655 (OCCURS 0 TO 20 DEPENDING ON sized
 * at its maximum, unused entries filled with spaces as IBM programs leave them).
 * ---------------------------------------------------------------------- */
enum { LDG_LRECL = 655, LDG_ENTRY_OFF = 135, LDG_ENTRY_SIZE = 26, LDG_MAX_ENTRIES = 20 };

static cbz_status gen_ledger(gen *g, cbz_error *err)
{
    rng *r = &g->r;
    uint8_t rec[LDG_LRECL];
    uint64_t account = 3100000000;
    static const char *const gl_codes[] = { "1000-CSH", "1200-REC", "2000-PAY", "2100-ACC",
                                            "4000-REV", "5000-EXP", "5100-SAL", "6000-DEP" };
    static const char *const refs[] = { "INV", "PAY", "ADJ", "TRF", "FEE", "INT", "REV" };

    while (!gen_done(g)) {
        account += (uint64_t)rng_range(r, 1, 25);
        unsigned branch = (unsigned)rng_range(r, 1, 60) * 10;
        const char *currency = rng_chance(r, 850) ? "USD" : rng_chance(r, 600) ? "EUR" : "GBP";
        int64_t balance = rng_chance(r, 100) ? 0 : rng_range(r, -5000000, 500000000);

        memset(rec, 0, sizeof rec);
        put_zoned(&g->enc, rec + 0, 10, account);
        put_zoned(&g->enc, rec + 10, 4, branch);
        put_text(&g->enc, rec + 14, 8, gl_codes[rng_below(r, COUNT(gl_codes))]);
        put_text(&g->enc, rec + 22, 3, currency);
        put_zoned(&g->enc, rec + 25, 4, 2025);
        put_packed(rec + 29, 8, balance, true);
        bool dormant = rng_chance(r, 150);
        for (int m = 0; m < 12; m++) {
            /* Monthly movement scales with the size of the balance, whatever its sign. */
            int64_t size = balance < 0 ? -balance : balance;
            if (!dormant) balance += rng_range(r, -size / 20 - 100000, size / 15 + 100000);
            put_packed(rec + 37 + m * 8, 8, balance, true);
        }
        unsigned n = dormant ? 0 : (unsigned)(rng_chance(r, 700) ? rng_range(r, 0, 6) : rng_range(r, 7, LDG_MAX_ENTRIES));
        put_binary(rec + 133, 2, n);
        put_text(&g->enc, rec + LDG_ENTRY_OFF, LDG_MAX_ENTRIES * LDG_ENTRY_SIZE, "");
        int day = 0;
        for (unsigned e = 0; e < n; e++) {
            uint8_t *p = rec + LDG_ENTRY_OFF + e * LDG_ENTRY_SIZE;
            day += (int)rng_below(r, (uint64_t)(365 / n));
            char ref[16];
            snprintf(ref, sizeof ref, "%s%07u", refs[rng_below(r, COUNT(refs))], (unsigned)rng_below(r, 10000000));
            int64_t amount = card_amount(r) * (rng_chance(r, 100) ? 10 : 1);
            put_zoned(&g->enc, p + 0, 8, date_of(2025, day));
            put_text(&g->enc, p + 8, 10, ref);
            put_packed(p + 18, 7, amount, true);
            put_text(&g->enc, p + 25, 1, rng_chance(r, 550) ? "D" : "C");
        }
        CBZ_TRY(gen_write(g, rec, sizeof rec, err));
        g->records++;
    }
    return CBZ_OK;
}

/* ------------------------------------------------------------------------
 * vb: copybooks/vb.cpy, RECFM VB.  Each account is a header segment ('H',
 * 97 bytes) followed by its detail segments ('D', 72 bytes).  Records carry an
 * IBM RDW (2-byte big-endian length including the RDW, 2 zero bytes); blocks
 * of up to VB_BLKSIZE bytes carry a BDW of the same form.
 * ---------------------------------------------------------------------- */
enum { VB_HDR_LEN = 97, VB_DTL_LEN = 72, VB_BLKSIZE = 27998 };

typedef struct vb_block {
    uint8_t data[VB_BLKSIZE];
    size_t len;   /* bytes used, BDW included; 0 = no block open */
} vb_block;

static cbz_status vb_flush(gen *g, vb_block *b, cbz_error *err)
{
    if (b->len == 0) return CBZ_OK;
    put_binary(b->data, 2, (int64_t)b->len);
    b->data[2] = b->data[3] = 0;
    cbz_status s = gen_write(g, b->data, b->len, err);
    b->len = 0;
    return s;
}

static cbz_status vb_put(gen *g, vb_block *b, const uint8_t *rec, size_t n, cbz_error *err)
{
    if (b->len + 4 + n > VB_BLKSIZE) CBZ_TRY(vb_flush(g, b, err));
    if (b->len == 0) b->len = 4;
    put_binary(b->data + b->len, 2, (int64_t)(n + 4));
    b->data[b->len + 2] = b->data[b->len + 3] = 0;
    memcpy(b->data + b->len + 4, rec, n);
    b->len += 4 + n;
    g->records++;
    return CBZ_OK;
}

static cbz_status gen_vb(gen *g, cbz_error *err)
{
    rng *r = &g->r;
    vb_block *b = calloc(1, sizeof *b);
    if (!b) return cbz_fail(err, CBZ_ERR_NOMEM, "out of memory");
    static const char *const products[] = { "CHK1", "CHK2", "SAV1", "MMA1", "CD12", "IRA1" };
    static const char *const codes[] = { "POS", "ATM", "DEP", "ACH", "CHK", "FEE", "INT", "XFR" };
    uint8_t rec[VB_HDR_LEN];
    uint64_t account = 5200000000;
    cbz_status s = CBZ_OK;

    while (s == CBZ_OK && !gen_done(g)) {
        account += (uint64_t)rng_range(r, 1, 30);
        unsigned n = (unsigned)(rng_chance(r, 800) ? rng_range(r, 0, 12) : rng_range(r, 13, 200));
        int64_t balance = rng_range(r, -50000, 2500000);
        const place *pl = &places[zipf_pick(&g->z_place, r) % N_US_PLACES];
        char name[64], addr[64];
        snprintf(name, sizeof name, "%s, %s", last_names[zipf_pick(&g->z_last, r)],
                 first_names[zipf_pick(&g->z_first, r)]);
        snprintf(addr, sizeof addr, "%u %s %s", (unsigned)rng_range(r, 1, 9999),
                 streets[zipf_pick(&g->z_street, r)], pl->city);

        put_text(&g->enc, rec + 0, 1, "H");
        put_zoned(&g->enc, rec + 1, 10, account);
        put_text(&g->enc, rec + 11, 30, name);
        put_text(&g->enc, rec + 41, 30, addr);
        put_zoned(&g->enc, rec + 71, 8, date_of((int)rng_range(r, 1995, 2024), (int)rng_below(r, 365)));
        put_zoned(&g->enc, rec + 79, 4, (uint64_t)rng_range(r, 1, 60) * 10);
        put_text(&g->enc, rec + 83, 4, products[rng_below(r, COUNT(products))]);
        put_packed(rec + 87, 3, n, false);
        put_packed(rec + 90, 7, balance, true);
        s = vb_put(g, b, rec, VB_HDR_LEN, err);

        int day = 0;
        for (unsigned d = 0; s == CBZ_OK && d < n && !gen_done(g); d++) {
            day += (int)rng_below(r, (uint64_t)(365 / (n + 1) + 1));
            const char *code = codes[zipf_pick(&g->z_street, r) % COUNT(codes)];
            const merchant *m = &g->merchants[zipf_pick(&g->z_merchant, r)];
            int64_t amount = card_amount(r);
            bool credit = strcmp(code, "DEP") == 0 || strcmp(code, "INT") == 0;
            if (!credit) amount = -amount;
            char desc[48];
            if (strcmp(code, "POS") == 0) snprintf(desc, sizeof desc, "%s", m->name);
            else snprintf(desc, sizeof desc, "%s %s", code, credit ? "CREDIT" : "DEBIT");

            put_text(&g->enc, rec + 0, 1, "D");
            put_zoned(&g->enc, rec + 1, 10, account);
            put_packed(rec + 11, 3, d + 1, false);
            put_zoned(&g->enc, rec + 14, 8, date_of(2025, day > 364 ? 364 : day));
            put_text(&g->enc, rec + 22, 3, code);
            put_packed(rec + 25, 6, amount, true);
            put_text(&g->enc, rec + 31, 40, desc);
            put_text(&g->enc, rec + 71, 1, m->online ? "E" : "B");
            s = vb_put(g, b, rec, VB_DTL_LEN, err);
        }
    }
    if (s == CBZ_OK) s = vb_flush(g, b, err);
    free(b);
    return s;
}

/* ------------------------------------------------------------------------
 * Command line.
 * ---------------------------------------------------------------------- */
typedef struct kind {
    const char *name;
    cbz_status (*run)(gen *g, cbz_error *err);
    size_t record_size;    /* for --size-mb; average for vb */
    const char *what;
} kind;

static const kind kinds[] = {
    { "transactions", gen_transactions, TRAN_LRECL, "card-transaction history, RECFM FB, LRECL 150" },
    { "customers", gen_customers, CUST_LRECL, "customer master with OCCURS, RECFM FB, LRECL 360" },
    { "ledger", gen_ledger, LDG_LRECL, "ledger with OCCURS 12 and DEPENDING ON, RECFM FB, LRECL 655" },
    { "vb", gen_vb, 80, "header/detail segments, RECFM VB with BDW and RDW" },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: cbzgen KIND (--records N | --size-mb M) [--seed S] [--codepage CP] [--force] -o FILE\n"
               "Writes a deterministic, realistic extract (same arguments, same bytes).\n"
               "Kinds (copybooks in copybooks/KIND.cpy):\n");
    for (size_t i = 0; i < COUNT(kinds); i++) fprintf(f, "  %-13s %s\n", kinds[i].name, kinds[i].what);
    fprintf(f, "Options:\n"
               "  --records N     number of records (segments for vb)\n"
               "  --size-mb M     stop once M MiB are written (instead of --records)\n"
               "  --seed S        PRNG seed (default 1)\n"
               "  --codepage CP   cp037 (default), any EBCDIC page cobzip knows, ascii, latin1\n"
               "  --force         replace an existing FILE\n"
               "  -o FILE         output file ('-' for stdout)\n");
}

static bool parse_u64(const char *opt, const char *arg, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = arg ? strtoull(arg, &end, 10) : 0;
    if (!arg || errno || end == arg || *end || arg[0] == '-') {
        fprintf(stderr, "cbzgen: %s needs a non-negative integer, got '%s'\n", opt, arg ? arg : "");
        return false;
    }
    *out = v;
    return true;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc < 2) {
        usage(stderr);
        return 12;
    }
    const kind *k = NULL;
    for (size_t i = 0; i < COUNT(kinds); i++)
        if (strcmp(argv[1], kinds[i].name) == 0) k = &kinds[i];
    if (!k) {
        fprintf(stderr, "cbzgen: unknown kind '%s' (try --help)\n", argv[1]);
        return 12;
    }
    uint64_t records = 0, size_mb = 0, seed = 1;
    bool have_records = false, have_size = false, force = false;
    const char *cp_name = "cp037", *out_path = NULL;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--records") == 0) {
            if (!parse_u64(a, v, &records)) return 12;
            have_records = true, i++;
        } else if (strcmp(a, "--size-mb") == 0) {
            if (!parse_u64(a, v, &size_mb)) return 12;
            have_size = true, i++;
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(a, v, &seed)) return 12;
            i++;
        } else if (strcmp(a, "--codepage") == 0 && v) {
            cp_name = v, i++;
        } else if (strcmp(a, "-o") == 0 && v) {
            out_path = v, i++;
        } else if (strcmp(a, "--force") == 0) {
            force = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "cbzgen: unknown or incomplete option '%s' (try --help)\n", a);
            return 12;
        }
    }
    if (have_records == have_size) {
        fprintf(stderr, "cbzgen: give exactly one of --records N and --size-mb M\n");
        return 12;
    }
    if (!out_path) {
        fprintf(stderr, "cbzgen: no output file (-o FILE)\n");
        return 12;
    }
    const cbz_codepage *cp = cbz_codepage_find(cp_name);
    if (!cp) {
        fprintf(stderr, "cbzgen: unknown code page '%s'\n", cp_name);
        return 12;
    }

    gen *g = calloc(1, sizeof *g);
    if (!g) {
        fprintf(stderr, "cbzgen: out of memory\n");
        return 16;
    }
    if (!encoder_init(&g->enc, cp)) {
        fprintf(stderr, "cbzgen: code page %s lacks printable ASCII characters\n", cp->name);
        free(g);
        return 12;
    }
    g->r.state = seed;
    g->max_records = have_records ? records : UINT64_MAX;
    g->max_bytes = have_size ? size_mb * 1048576u : 0;
    if (have_size && size_mb == 0) g->max_records = 0;
    if (!zipf_init(&g->z_last, COUNT(last_names)) || !zipf_init(&g->z_first, COUNT(first_names)) ||
        !zipf_init(&g->z_merchant, N_MERCHANTS) || !zipf_init(&g->z_place, COUNT(places)) ||
        !zipf_init(&g->z_street, COUNT(streets))) {
        fprintf(stderr, "cbzgen: out of memory\n");
        return 16;
    }
    build_merchants(g->merchants, &g->r);

    cbz_error err = { 0 };
    cbz_outfile *of = NULL;
    cbz_status s = cbz_outfile_open(out_path, force, &of, &err);
    if (s == CBZ_OK) {
        g->out = cbz_outfile_stream(of);
        s = k->run(g, &err);
        if (s == CBZ_OK) s = cbz_outfile_commit(of, &err);
        else cbz_outfile_abort(of);
    }
    int rc = 0;
    if (s != CBZ_OK) {
        fprintf(stderr, "cbzgen: %s: %s\n", out_path, err.msg[0] ? err.msg : cbz_status_name(s));
        rc = s == CBZ_ERR_EXISTS || s == CBZ_ERR_USAGE ? 12 : 16;
    }
    free(g->z_last.cum);
    free(g->z_first.cum);
    free(g->z_merchant.cum);
    free(g->z_place.cum);
    free(g->z_street.cum);
    free(g);
    return rc;
}
