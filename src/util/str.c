/* str.c: string, file, encoding and clock helpers. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

bool
str_startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_endswith(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

char *
str_sh_quote(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addc(&sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_adds(&sb, "'\\''");
		else
			strbuf_addc(&sb, *s);
	}
	strbuf_addc(&sb, '\'');
	return strbuf_detach(&sb);
}

char *
str_fingerprint_sha256(const unsigned char *hash)
{
	char *b = b64_encode(hash, 32), *r;
	size_t n = strlen(b);

	while (n > 0 && b[n - 1] == '=')
		b[--n] = '\0';
	r = xasprintf("SHA256:%s", b);
	free(b);
	return r;
}

size_t
str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, *row, prev, tmp, d;

	row = xcalloc(lb + 1, sizeof(*row));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			d = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < d)
				d = row[j] + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			prev = tmp;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

const char *
str_closest(const char *word, const char **cand, size_t n)
{
	const char *best = NULL;
	size_t i, d, bestd = (size_t)-1, limit = 1 + strlen(word) / 4;

	for (i = 0; i < n; i++) {
		if (cand[i] == NULL)
			continue;
		d = str_distance(word, cand[i]);
		if (d < bestd) {
			bestd = d;
			best = cand[i];
		}
	}
	return bestd <= limit ? best : NULL;
}

int
file_read(char **out, size_t *len, const char *path, size_t max,
	  struct mtv_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	ssize_t n;
	int fd, r = MTV_EIO;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errno == ENOENT ? MTV_ENOTFOUND : MTV_EIO,
			       "cannot open '%s': %s", path, strerror(errno));
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(err, MTV_EIO, "cannot read '%s': %s", path,
				strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (max && sb.len + (size_t)n > max) {
			err_set(err, MTV_EINVAL,
				"'%s' is too large (more than %zu bytes)",
				path, max);
			goto out;
		}
		strbuf_add(&sb, buf, (size_t)n);
	}
	if (len)
		*len = sb.len;
	*out = strbuf_detach(&sb);
	r = 0;
out:
	close(fd);
	strbuf_release(&sb);
	return r;
}

int
file_write(const char *path, const char *data, size_t len, struct mtv_err *err)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	size_t off = 0;
	ssize_t n;
	int fd, r = MTV_EIO;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set(err, MTV_EIO, "cannot create '%s': %s", tmp,
			strerror(errno));
		goto out;
	}
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(err, MTV_EIO, "cannot write '%s': %s", tmp,
				strerror(errno));
			close(fd);
			unlink(tmp);
			goto out;
		}
		off += (size_t)n;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		err_set(err, MTV_EIO, "cannot write '%s': %s", path,
			strerror(errno));
		unlink(tmp);
		goto out;
	}
	r = 0;
out:
	free(tmp);
	return r;
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
b64_encode(const void *data, size_t len)
{
	const unsigned char *p = data;
	char *out = xmalloc(4 * ((len + 2) / 3) + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*o++ = b64[p[i] >> 2];
		*o++ = b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		*o++ = b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		*o++ = b64[p[i + 2] & 63];
	}
	if (i < len) {
		*o++ = b64[p[i] >> 2];
		if (i + 1 < len) {
			*o++ = b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
			*o++ = b64[(p[i + 1] & 15) << 2];
		} else {
			*o++ = b64[(p[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

int
b64_decode(unsigned char **out, size_t *outlen, const char *s)
{
	size_t n = strlen(s), i, o = 0;
	unsigned char *buf = xmalloc(n / 4 * 3 + 3);
	unsigned int acc = 0;
	int bits = 0;

	for (i = 0; i < n; i++) {
		const char *c;

		if (s[i] == '=' || s[i] == '\n' || s[i] == '\r')
			continue;
		c = strchr(b64, s[i]);
		if (c == NULL || s[i] == '\0') {
			free(buf);
			return MTV_EINVAL;
		}
		acc = (acc << 6) | (unsigned int)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (unsigned char)(acc >> bits);
		}
	}
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return 0;
}

char *
url_encode(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			strbuf_addc(&sb, (char)c);
		else
			strbuf_addf(&sb, "%%%02X", c);
	}
	return strbuf_detach(&sb);
}

long long
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
sleep_ms(long ms, volatile sig_atomic_t *cancel, struct mtv_err *err)
{
	long long end = clock_ms() + ms;

	for (;;) {
		long long left = end - clock_ms();
		struct timespec ts;

		if (cancel && *cancel)
			return err_set(err, MTV_ECANCELED, "interrupted");
		if (left <= 0)
			return 0;
		if (left > 100)
			left = 100;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000L;
		nanosleep(&ts, NULL);
	}
}

char *
time_rfc3339(long long unix_secs)
{
	time_t t = (time_t)unix_secs;
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

long long
clock_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
fmt_instant(char *buf, size_t size, long long unix_secs)
{
	time_t t = (time_t)unix_secs;
	struct tm tm;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

const char *
fmt_instant_ms(char *buf, size_t size, long long unix_ms)
{
	long long ms = unix_ms % 1000;
	time_t t = (time_t)(unix_ms / 1000);
	struct tm tm;
	char sec[24];

	if (ms < 0) {
		ms += 1000;
		t--;
	}
	gmtime_r(&t, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03lldZ", sec, ms);
	return buf;
}

const char *
fmt_duration(char *buf, size_t size, long long ms)
{
	const char *sign = "";
	long long s;

	if (ms < 0) {
		sign = "-";
		ms = -ms;
	}
	s = ms / 1000;
	if (ms < 1000)
		snprintf(buf, size, "%s%lldms", sign, ms);
	else if (ms < 10000 && ms % 1000 >= 100)
		snprintf(buf, size, "%s%lld.%llds", sign, s, ms % 1000 / 100);
	else if (s < 60)
		snprintf(buf, size, "%s%llds", sign, s);
	else if (s < 3600)
		snprintf(buf, size, "%s%lldm%02llds", sign, s / 60, s % 60);
	else
		snprintf(buf, size, "%s%lldh%02lldm%02llds", sign, s / 3600,
			 s / 60 % 60, s % 60);
	return buf;
}
