/* err.c: error values. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

int
err_set(struct mtv_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
err_prefix(struct mtv_err *err, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_adds(&sb, ": ");
	strbuf_adds(&sb, err->msg);
	n = sb.len < sizeof(err->msg) - 1 ? sb.len : sizeof(err->msg) - 1;
	memcpy(err->msg, sb.buf, n);
	err->msg[n] = '\0';
	strbuf_release(&sb);
	return err->code;
}

void
err_clear(struct mtv_err *err)
{
	err->code = 0;
	err->msg[0] = '\0';
}

const char *
err_name(int code)
{
	switch (code) {
	case MTV_OK: return "ok";
	case MTV_EINVAL: return "invalid";
	case MTV_ENOTFOUND: return "not found";
	case MTV_EIO: return "i/o error";
	case MTV_ENET: return "network error";
	case MTV_EAUTH: return "authentication failed";
	case MTV_ETIMEOUT: return "timeout";
	case MTV_EPROTO: return "protocol error";
	case MTV_ECANCELED: return "canceled";
	case MTV_EINTERNAL: return "internal error";
	case MTV_ECONFLICT: return "conflict";
	case MTV_EFAILED: return "failed";
	case MTV_ELOGIN: return "login refused";
	case MTV_EUNSUPPORTED: return "not supported by the MTV release";
	}
	return "error";
}
