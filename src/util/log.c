/* log.c: the one log sink; every line passes redact(). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static enum mtv_loglevel level = LOG_LVL_INFO;
static FILE *extra;
static bool color;
static bool console_gone;
static void (*console_fn)(void);
static void (*writer)(FILE *fp, const char *text);
static char *file_prefix;

static const char *const names[] = {
	"error", "warn", "info", "verbose", "debug", "trace",
};

void
log_set_level(enum mtv_loglevel lvl)
{
	level = lvl;
}

enum mtv_loglevel
log_get_level(void)
{
	return level;
}

int
log_level_parse(const char *s, enum mtv_loglevel *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum mtv_loglevel)i;
			return 0;
		}
	}
	return MTV_EINVAL;
}

void
log_set_file(FILE *fp)
{
	extra = fp;
}

void
log_set_console_writer(void (*fn)(FILE *fp, const char *text))
{
	writer = fn;
}

void
log_set_file_prefix(const char *prefix)
{
	free(file_prefix);
	file_prefix = prefix ? xstrdup(prefix) : NULL;
}

void
log_set_color(bool on)
{
	color = on;
}

bool
log_color(void)
{
	return color;
}

void
log_on_console_lost(void (*fn)(void))
{
	console_fn = fn;
}

void
log_console_lost(void)
{
	if (console_gone)
		return;
	console_gone = true;
	if (console_fn)
		console_fn();
}

bool
log_console_gone(void)
{
	return console_gone;
}

bool
log_console_check(FILE *fp)
{
	/* a full disk under a redirection is no reason to stop a run */
	if ((fp == stdout || fp == stderr) && ferror(fp) && errno == EPIPE)
		log_console_lost();
	return console_gone;
}

/* Each line of the log file starts with the instant it was written (UTC,
 * ISO 8601, milliseconds), so that a log read later tells when. */
static void
file_put(const char *text)
{
	char when[FMT_TIME_LEN];
	const char *nl;

	fmt_instant_ms(when, sizeof(when), clock_wall_ms());
	while (*text) {
		/* one write per line: run -j's children share the file */
		char *line;

		nl = strchr(text, '\n');
		line = xasprintf("%s %s%.*s\n", when,
				 file_prefix ? file_prefix : "",
				 (int)(nl ? nl - text : (ptrdiff_t)strlen(text)),
				 text);
		fputs(line, extra);
		free(line);
		if (nl == NULL)
			break;
		text = nl + 1;
	}
	fflush(extra);
}

void
log_msg(enum mtv_loglevel lvl, const char *func, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	char *red;

	if (lvl > level && extra == NULL)
		return;
	if (lvl == LOG_LVL_ERROR)
		strbuf_adds(&sb, color ? "\033[31merror:\033[0m " : "error: ");
	else if (lvl == LOG_LVL_WARN)
		strbuf_adds(&sb, color ? "\033[33mwarning:\033[0m " : "warning: ");
	else if (lvl >= LOG_LVL_DEBUG)
		strbuf_addf(&sb, "%s: %s: ", names[lvl], func);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (sb.len == 0 || sb.buf[sb.len - 1] != '\n')
		strbuf_addc(&sb, '\n');
	red = redact(sb.buf);
	if (lvl <= level && !console_gone && writer)
		writer(stderr, red);
	else if (lvl <= level && !console_gone && fputs(red, stderr) == EOF &&
		 errno == EPIPE)
		log_console_lost();
	if (extra)
		file_put(red);
	free(red);
	strbuf_release(&sb);
}
