/* redact.c: mask secrets in everything headed for output. */
#include "config.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

#define MASK "***"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char **values;
static size_t *lens;
static size_t nvalues, capvalues;
static bool disabled;
/* first bytes of registered values: most positions are skipped at once */
static bool first[256];

static void
add_one(char *v)
{
	size_t i;

	for (i = 0; i < nvalues; i++) {
		if (strcmp(values[i], v) == 0) {
			freezero(v, strlen(v));
			return;
		}
	}
	if (nvalues == capvalues) {
		capvalues = capvalues ? capvalues * 2 : 16;
		values = xrealloc(values, capvalues * sizeof(*values));
		lens = xrealloc(lens, capvalues * sizeof(*lens));
	}
	first[(unsigned char)v[0]] = true;
	lens[nvalues] = strlen(v);
	values[nvalues++] = v;
}

void
redact_add(const char *value)
{
	if (value == NULL || strlen(value) < 4)
		return;
	pthread_mutex_lock(&lock);
	add_one(xstrdup(value));
	add_one(b64_encode(value, strlen(value)));
	add_one(url_encode(value));
	pthread_mutex_unlock(&lock);
}

void
redact_reset(void)
{
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nvalues; i++)
		freezero(values[i], strlen(values[i]));
	free(values);
	free(lens);
	values = NULL;
	lens = NULL;
	nvalues = capvalues = 0;
	memset(first, 0, sizeof(first));
	disabled = false;
	pthread_mutex_unlock(&lock);
}

void
redact_disable(void)
{
	disabled = true;
}

/* Header names whose value is masked up to the end of the line. */
static const char *const headers[] = {
	"authorization:", "proxy-authorization:", "cookie:", "set-cookie:",
	"vmware-api-session-id:", "x-csrf-token:",
};

/* Markers after which a value is masked up to a terminator. */
static const struct {
	const char *start;
	const char *stop;
} spans[] = {
	{ "<password>", "<" },
	{ "access_token=", "&\" \n\r" },
	{ "\"access_token\":\"", "\"" },
	{ "\"token\":\"", "\"" },
	{ "vmware_soap_session=\"", "\"" },
	{ "vmware_soap_session=", ";\" \n\r" },
};

static bool
at_line_start(const char *base, const char *p)
{
	return p == base || p[-1] == '\n';
}

char *
redact(const char *in)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = in;
	size_t i, best_len;

	if (in == NULL)
		return xstrdup("(null)");
	pthread_mutex_lock(&lock);
	while (*p) {
		if (disabled)
			goto plain;
		/* longest registered value first, so base64 wins over raw */
		best_len = 0;
		for (i = 0; first[(unsigned char)*p] && i < nvalues; i++) {
			size_t l = lens[i];

			if (l > best_len && values[i][0] == *p &&
			    strncmp(p, values[i], l) == 0)
				best_len = l;
		}
		if (best_len) {
			strbuf_adds(&sb, MASK);
			p += best_len;
			continue;
		}
		if (at_line_start(in, p) || p[-1] == ' ' || p[-1] == '>') {
			for (i = 0; i < ARRAY_SIZE(headers); i++) {
				size_t l = strlen(headers[i]);

				if (strncasecmp(p, headers[i], l) == 0) {
					strbuf_add(&sb, p, l);
					strbuf_adds(&sb, " " MASK);
					p += l;
					while (*p && *p != '\n' && *p != '\r')
						p++;
					break;
				}
			}
			if (i < ARRAY_SIZE(headers))
				continue;
		}
		for (i = 0; i < ARRAY_SIZE(spans); i++) {
			size_t l = strlen(spans[i].start);

			if (strncmp(p, spans[i].start, l) == 0) {
				strbuf_add(&sb, p, l);
				p += l;
				if (*p && !strchr(spans[i].stop, *p))
					strbuf_adds(&sb, MASK);
				while (*p && !strchr(spans[i].stop, *p))
					p++;
				break;
			}
		}
		if (i < ARRAY_SIZE(spans))
			continue;
plain:
		if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
			strbuf_addf(&sb, "\\x%02x", (unsigned char)*p);
		else
			strbuf_addc(&sb, *p);
		p++;
	}
	pthread_mutex_unlock(&lock);
	return strbuf_detach(&sb);
}

void
redact_fputs(const char *s, FILE *fp)
{
	char *r = redact(s);

	fputs(r, fp);
	free(r);
}

struct secret *
secret_new(const char *value)
{
	struct secret *s;

	if (value == NULL)
		return NULL;
	s = xmalloc(sizeof(*s));
	s->value = xstrdup(value);
	s->len = strlen(value);
	redact_add(value);
	return s;
}

void
secret_free(struct secret *s)
{
	if (s == NULL)
		return;
	freezero(s->value, s->len);
	freezero(s, sizeof(*s));
}

const char *
secret_value(const struct secret *s)
{
	return s ? s->value : NULL;
}
