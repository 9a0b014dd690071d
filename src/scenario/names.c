/* names.c: Kubernetes and Forklift naming rules (see names.h). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "scenario/names.h"

#define LABEL_MAX	63
#define SUBDOMAIN_MAX	253

static bool
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool
name_dns_subdomain(const char *s)
{
	size_t i, n = s ? strlen(s) : 0;

	if (n == 0 || n > SUBDOMAIN_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!alnum(c) && c != '-' && c != '.')
			return false;
		/* '-' and '.' never at an end or next to a '.' */
		if (!alnum(c) && (i == 0 || i == n - 1 || s[i - 1] == '.' ||
				  s[i + 1] == '.'))
			return false;
	}
	return true;
}

bool
name_dns_label_ok(const char *s)
{
	return s && strlen(s) <= LABEL_MAX && strchr(s, '.') == NULL &&
		name_dns_subdomain(s);
}

/* Collapse runs of '-' in sb and trim them at both ends; then cut to max
 * and trim again. */
static void
dashes_tidy(struct strbuf *sb, size_t max)
{
	size_t i, o = 0;

	for (i = 0; i < sb->len; i++) {
		if (sb->buf[i] == '-' && (o == 0 || sb->buf[o - 1] == '-'))
			continue;
		sb->buf[o++] = sb->buf[i];
	}
	if (o > max)
		o = max;
	while (o && sb->buf[o - 1] == '-')
		o--;
	sb->len = o;
	if (sb->buf)
		sb->buf[o] = '\0';
}

/* One '.'-separated part as ChangeVmName cleans it, appended to out. */
static void
part_add(struct strbuf *out, const char *part)
{
	struct strbuf p = STRBUF_INIT;
	const char *c;

	for (c = part; *c; c++) {
		if (strchr("_+* /\\", *c))
			strbuf_addc(&p, '-');
		else if (alnum(*c) || *c == '-')
			strbuf_addc(&p, *c);
	}
	dashes_tidy(&p, LABEL_MAX);
	if (p.len) {
		if (out->len)
			strbuf_addc(out, '.');
		strbuf_add(out, p.buf, p.len);
	}
	strbuf_release(&p);
}

char *
name_change_vm(const char *name)
{
	struct strbuf out = STRBUF_INIT;
	char *low = xstrdup(name ? name : ""), *s, *part, *save = NULL;
	size_t i, n;

	for (i = 0; low[i]; i++)
		low[i] = (char)tolower((unsigned char)low[i]);
	s = low;
	while (*s == '.' || *s == '-')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == '.' || s[n - 1] == '-'))
		s[--n] = '\0';
	for (part = strtok_r(s, ".", &save); part;
	     part = strtok_r(NULL, ".", &save))
		part_add(&out, part);
	free(low);
	if (out.len > LABEL_MAX) {
		n = LABEL_MAX;
		while (n && (out.buf[n - 1] == '.' || out.buf[n - 1] == '-'))
			n--;
		out.buf[n] = '\0';
		out.len = n;
	}
	return strbuf_detach(&out);
}

char *
name_target_vm(const char *name)
{
	return name_dns_subdomain(name) ? xstrdup(name) : name_change_vm(name);
}

char *
name_dns_label(const char *s, size_t max)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		char c = (char)tolower((unsigned char)*s);

		strbuf_addc(&sb, alnum(c) ? c : '-');
	}
	dashes_tidy(&sb, max);
	return strbuf_detach(&sb);
}
