/* util.h: errors, diagnostics, memory, strings, logging, redaction, secrets. */
#ifndef MTV_UTIL_H
#define MTV_UTIL_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/json.h"

#ifdef MTV_TESTING
#define MTV_STATIC
#else
#define MTV_STATIC static
#endif

#define MTV_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BUG(msg) util_bug(__FILE__, __LINE__, (msg))

/* ---- errors ---- */

enum mtv_errcode {
	MTV_OK = 0,
	MTV_EINVAL = -1,	/* bad input: scenario, providers, options */
	MTV_ENOTFOUND = -2,
	MTV_EIO = -3,
	MTV_ENET = -4,
	MTV_EAUTH = -5,
	MTV_ETIMEOUT = -6,
	MTV_EPROTO = -7,	/* the peer answered something we cannot use */
	MTV_ECANCELED = -8,	/* SIGINT/SIGTERM */
	MTV_EINTERNAL = -9,
	MTV_ECONFLICT = -10,	/* object exists and is not ours */
	MTV_EFAILED = -11,	/* the scenario's expectation did not hold */
	MTV_ELOGIN = -12,	/* an endpoint refused our credentials: fatal
				 * for the whole run (no account lockouts) */
	MTV_EUNSUPPORTED = -13,	/* the cluster's MTV release does not take
				 * what the scenario needs: refused */
};

/* Exit codes; only main.c turns results into these. */
enum mtv_exit {
	MTV_EXIT_PASS = 0,
	MTV_EXIT_FAIL = 1,
	MTV_EXIT_INTERRUPTED = 2,
	MTV_EXIT_INTERNAL = 3,
	MTV_EXIT_USAGE = 4,
	MTV_EXIT_NOTHING = 5,
};

struct mtv_err {
	int code;
	char msg[2048];
};

/* Set err (may be NULL) to code and a formatted message; returns code. */
int err_set(struct mtv_err *err, int code, const char *fmt, ...) MTV_PRINTF(3, 4);
/* Prefix err's message with "context: "; returns err->code. */
int err_prefix(struct mtv_err *err, const char *fmt, ...) MTV_PRINTF(2, 3);
/* A short name of an error code ("invalid", "timeout", ...). */
const char *err_name(int code);
void err_clear(struct mtv_err *err);

/* ---- diagnostics: validation reports every problem, sorted by position ---- */

struct mtv_diag {
	char *file;
	int line, col;		/* 1-based; 0 when unknown */
	char *msg;
};

struct mtv_diags {
	struct mtv_diag *v;
	size_t n, cap;
};

void diags_add(struct mtv_diags *d, const char *file, int line, int col,
	       const char *fmt, ...) MTV_PRINTF(5, 6);
void diags_addv(struct mtv_diags *d, const char *file, int line, int col,
		const char *fmt, va_list ap);
/* Sort by file, line, column and drop exact duplicates. */
void diags_sort(struct mtv_diags *d);
/* Print "file:line:col: error: msg" lines (sorted). */
void diags_print(const struct mtv_diags *d, FILE *fp);
void diags_release(struct mtv_diags *d);

/* ---- memory: x* allocators abort on out of memory ---- */

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) MTV_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap);
/* Wipe n bytes then free (for secrets). */
void freezero(void *p, size_t n);
void util_bug(const char *file, int line, const char *msg) __attribute__((noreturn));

/* ---- strbuf ---- */

struct strbuf {
	char *buf;
	size_t len, cap;
};
#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_init(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) MTV_PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Append s with XML special characters escaped. */
void strbuf_add_xml(struct strbuf *sb, const char *s);
void strbuf_reset(struct strbuf *sb);
/* Give up ownership of the buffer (never NULL). */
char *strbuf_detach(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/* Return the contents as a C string (never NULL, owned by sb). */
const char *strbuf_str(struct strbuf *sb);

/* ---- small string helpers ---- */

bool str_eq(const char *a, const char *b);	/* NULL-safe */
bool str_startswith(const char *s, const char *prefix);
bool str_endswith(const char *s, const char *suffix);
/* s single-quoted for a POSIX shell ('it'\''s'); owned by the caller. */
char *str_sh_quote(const char *s);
/* "SHA256:" and the unpadded base64 of a 32-byte hash, as OpenSSH prints a
 * key's fingerprint; owned by the caller. */
char *str_fingerprint_sha256(const unsigned char *hash);
/* Levenshtein distance, for did-you-mean. */
size_t str_distance(const char *a, const char *b);
/* The candidate (borrowed; NULL entries skipped) closest to word, or NULL
 * when none is within a quarter of its length plus one. */
const char *str_closest(const char *word, const char **cand, size_t n);
/* Read a whole file (max bytes; 0 = unlimited); NUL-terminated. */
int file_read(char **out, size_t *len, const char *path, size_t max, struct mtv_err *err);
/* Write a file atomically (temp + rename), mode 0600. */
int file_write(const char *path, const char *data, size_t len, struct mtv_err *err);
/* Base64 encode/decode (standard alphabet). */
char *b64_encode(const void *data, size_t len);
int b64_decode(unsigned char **out, size_t *outlen, const char *s);
/* URL-encode (RFC 3986 unreserved kept). */
char *url_encode(const char *s);
/* Monotonic clock in milliseconds; wall clock RFC 3339 (UTC). */
long long clock_ms(void);
/* Sleep ms, in slices of 100 ms, ending early with MTV_ECANCELED once
 * *cancel (may be NULL) is set. */
int sleep_ms(long ms, volatile sig_atomic_t *cancel, struct mtv_err *err);
char *time_rfc3339(long long unix_secs);
/* Wall clock in milliseconds since the epoch. */
long long clock_wall_ms(void);

/* Instants and durations as people read them, written into buf (size at
 * least FMT_TIME_LEN; shorter output is cut) and returned, so that they
 * fit in a printf argument list. */
#define FMT_TIME_LEN 32
/* An instant in UTC, ISO 8601: "2026-12-06T10:02:11Z". */
const char *fmt_instant(char *buf, size_t size, long long unix_secs);
/* The same with milliseconds: "2026-12-06T10:02:11.123Z". */
const char *fmt_instant_ms(char *buf, size_t size, long long unix_ms);
/* A duration: "850ms", "4.2s" (under 10 s), "4s", "42s", "3m12s",
 * "2h05m07s"; negative ones start with "-". */
const char *fmt_duration(char *buf, size_t size, long long ms);

/* ---- logging (one sink, redacted) ---- */

enum mtv_loglevel {
	LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_VERBOSE,
	LOG_LVL_DEBUG, LOG_LVL_TRACE,
};

void log_set_level(enum mtv_loglevel lvl);
enum mtv_loglevel log_get_level(void);
int log_level_parse(const char *s, enum mtv_loglevel *out);
/* Send log lines to fp as well as stderr (NULL to stop); they are redacted too. */
void log_set_file(FILE *fp);
void log_set_color(bool on);
/* Console lines go through fn (NULL: straight to stderr): the progress
 * area draws around them. */
void log_set_console_writer(void (*fn)(FILE *fp, const char *text));
/* Lines of the log file start with prefix (NULL: none): run -j's
 * children, which share it, name their scenario. */
void log_set_file_prefix(const char *prefix);
bool log_color(void);
void log_msg(enum mtv_loglevel lvl, const char *func, const char *fmt, ...) MTV_PRINTF(3, 4);
/* The console (stdout, stderr) is gone when a write to it failed, e.g.
 * EPIPE from a closed pipe (SIGPIPE ignored): nothing more is written to
 * it, and fn (may be NULL), set by the runner, is called once. */
void log_on_console_lost(void (*fn)(void));
/* Check fp (stdout or stderr) right after writing to it (EPIPE: the
 * console is gone); true when it is gone (then stop printing). */
bool log_console_check(FILE *fp);
/* Mark the console gone (its reader went away). */
void log_console_lost(void);
bool log_console_gone(void);

#define log_error(...) log_msg(LOG_LVL_ERROR, __func__, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __func__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __func__, __VA_ARGS__)
#define log_verbose(...) log_msg(LOG_LVL_VERBOSE, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __func__, __VA_ARGS__)
#define log_trace(...) log_msg(LOG_LVL_TRACE, __func__, __VA_ARGS__)

/* ---- redaction ---- */

/* Register a secret value: later output masks it raw, base64- and URL-encoded.
 * Values shorter than 4 bytes are not registered (they would mask noise). */
void redact_add(const char *value);
/* Forget every registered value (tests). */
void redact_reset(void);
/* Turn redaction off (--no-redact). */
void redact_disable(void);
/* Return a new string: secrets replaced by "***", sensitive HTTP headers,
 * SOAP <password> elements and "access_token" values masked, control
 * characters other than \n and \t escaped. */
char *redact(const char *in);
/* Write redacted text to fp. */
void redact_fputs(const char *s, FILE *fp);

/* ---- secrets ---- */

struct secret {
	char *value;
	size_t len;
};

/* A copy of value, registered with redact (NULL for NULL). */
struct secret *secret_new(const char *value);
/* Wipe then free; accepts NULL. */
void secret_free(struct secret *s);
const char *secret_value(const struct secret *s);

#endif
