/* vs_guest.c: Guest Operations (GuestOperationsManager): programs run by
 * VMware Tools in a guest, temporary files, deletions, and file transfers
 * through the URL vSphere hands out (an HTTPS PUT or GET with libcurl,
 * verified as the SOAP connection is). Every call carries the guest
 * account's NamePasswordAuthentication; a refused guest login is
 * MTV_EAUTH and no call is sent twice (guest accounts lock after failed
 * logins, and StartProgramInGuest is not safe to repeat). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>

#include "vsphere/vs_int.h"

#define GUEST_MAX_FILE (64u << 20)

/* The transfer URL with a host of "*" (vSphere's "the host you
 * connected to", as ESXi answers) replaced by the host and port of
 * vs_url, as govmomi's guest.FileManager.TransferURL does. */
MTV_STATIC char *
vs_guest_url(const char *url, const char *vs_url)
{
	const char *a = strstr(url, "://"), *end, *va, *vend;

	if (a == NULL)
		return xstrdup(url);
	a += 3;
	end = a + strcspn(a, "/?#");
	if (!(a[0] == '*' && (a + 1 == end || a[1] == ':')))
		return xstrdup(url);
	va = strstr(vs_url, "://");
	va = va ? va + 3 : vs_url;
	vend = va + strcspn(va, "/?#");
	return xasprintf("%.*s%.*s%s", (int)(a - url), url, (int)(vend - va),
			 va, end);
}

/* The URL without its query (which holds the transfer's ticket), for
 * messages. */
static char *
url_shown(const char *url)
{
	return xstrndup(url, strcspn(url, "?#"));
}

/* The process and file managers, read once per client. */
static int
managers(struct vs_client *vs, struct mtv_err *err)
{
	static const char *const paths[] = { "processManager", "fileManager",
					     NULL };
	json_object *p = NULL;
	int r;

	if (vs->guest_pm && vs->guest_fm)
		return 0;
	if (vs->guest_mgr == NULL || *vs->guest_mgr == '\0')
		return err_set(err, MTV_EPROTO,
			       "vSphere '%s' offers no Guest Operations",
			       vs->url);
	r = vs_props(vs, "GuestOperationsManager", vs->guest_mgr, paths, &p,
		     err);
	if (r != 0)
		return r;
	free(vs->guest_pm);
	free(vs->guest_fm);
	vs->guest_pm = jstr(p, "processManager")
			       ? xstrdup(jstr(p, "processManager")) : NULL;
	vs->guest_fm = jstr(p, "fileManager")
			       ? xstrdup(jstr(p, "fileManager")) : NULL;
	json_object_put(p);
	if (vs->guest_pm == NULL || vs->guest_fm == NULL)
		return err_set(err, MTV_EPROTO,
			       "vSphere '%s' offers no guest process or file "
			       "manager", vs->url);
	return 0;
}

/* One call on the process (pm) or file manager with vm and auth first,
 * then args; the arguments, which hold the password, are wiped. */
static int
guest_call(struct vs_client *vs, bool pm, const char *method,
	   const char *moid, const struct vs_guest_auth *a, const char *args,
	   xmlDocPtr *doc, xmlNodePtr *resp, struct mtv_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *pw = a && a->password ? secret_value(a->password) : NULL;
	int r;

	*doc = NULL;
	r = managers(vs, err);
	if (r != 0)
		return r;
	strbuf_adds(&sb, "<vm type=\"VirtualMachine\">");
	strbuf_add_xml(&sb, moid);
	strbuf_adds(&sb, "</vm><auth xsi:type=\"NamePasswordAuthentication\">"
			 "<interactiveSession>false</interactiveSession>"
			 "<username>");
	strbuf_add_xml(&sb, a && a->user ? a->user : "");
	strbuf_adds(&sb, "</username><password>");
	strbuf_add_xml(&sb, pw ? pw : "");
	strbuf_adds(&sb, "</password></auth>");
	if (args)
		strbuf_adds(&sb, args);
	vs->once = true;
	r = vs_call(vs, method, pm ? "GuestProcessManager" : "GuestFileManager",
		    pm ? vs->guest_pm : vs->guest_fm, sb.buf, moid, doc, resp,
		    err);
	vs->once = false;
	freezero(sb.buf, sb.cap);
	if (r != 0 && str_eq(vs->fault, "InvalidGuestLogin"))
		r = err_set(err, MTV_EAUTH,
			    "guest login as '%s' to VM '%s' refused (%s): "
			    "wrong user name or password",
			    a && a->user ? a->user : "", moid, vs->fault);
	else if (r != 0 && str_eq(vs->fault, "GuestPermissionDenied")) {
		r = MTV_EAUTH;
		if (err) {
			err_prefix(err, "guest account '%s' of VM '%s' may not "
				   "do this", a && a->user ? a->user : "",
				   moid);
			err->code = MTV_EAUTH;
		}
	}
	return r;
}

/* The entry of process pid in a ListProcessesInGuest answer: 1 and its
 * exit code when it ended, 0 while it runs, -1 when it is not listed. */
static int
process_state(xmlNodePtr resp, const char *pid, int *exit_code)
{
	xmlNodePtr n;

	for (n = vs_xml_child(resp, "returnval"); n;
	     n = vs_xml_next(n, "returnval")) {
		char *p = vs_xml_text(vs_xml_child(n, "pid"));
		bool match = str_eq(p, pid);

		free(p);
		if (!match)
			continue;
		if (vs_xml_child(n, "endTime") == NULL)
			return 0;
		p = vs_xml_text(vs_xml_child(n, "exitCode"));
		*exit_code = atoi(p);
		free(p);
		return 1;
	}
	return -1;
}

/* A program that outlived its time is ended (best effort). */
static void
terminate(struct vs_client *vs, const char *moid,
	  const struct vs_guest_auth *a, const char *pid)
{
	char *args = xasprintf("<pid>%s</pid>", pid);
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;

	if (guest_call(vs, true, "TerminateProcessInGuest", moid, a, args,
		       &doc, &resp, NULL) == 0)
		log_debug("guest of VM '%s': process %s ended", moid, pid);
	xmlFreeDoc(doc);
	free(args);
}

/* Poll the process until it ends: 0.2 s between polls at first, then
 * doubling up to 2 s (vSphere has no update for guest processes). */
static int
wait_process(struct vs_client *vs, const char *moid,
	     const struct vs_guest_auth *a, const char *pid,
	     const char *program, int timeout, int *exit_code,
	     struct mtv_err *err)
{
	long long deadline = clock_ms() + timeout * 1000LL, left;
	char *args = xasprintf("<pids>%s</pids>", pid);
	long delay = 200;
	int r, st = 0;

	for (;;) {
		xmlDocPtr doc = NULL;
		xmlNodePtr resp;

		r = guest_call(vs, true, "ListProcessesInGuest", moid, a, args,
			       &doc, &resp, err);
		if (r == 0)
			st = process_state(resp, pid, exit_code);
		xmlFreeDoc(doc);
		if (r != 0 || st == 1)
			break;
		if (st < 0) {
			r = err_set(err, MTV_EPROTO,
				    "guest of VM '%s' does not list process %s "
				    "('%s')", moid, pid, program);
			break;
		}
		left = deadline - clock_ms();
		if (left <= 0) {
			terminate(vs, moid, a, pid);
			r = err_set(err, MTV_ETIMEOUT,
				    "'%s' in the guest of VM '%s' still runs "
				    "after %d s", program, moid, timeout);
			break;
		}
		r = sleep_ms(delay < left ? delay : (long)left, vs->cancel,
			     err);
		if (r != 0)
			break;
		delay = delay * 2 > 2000 ? 2000 : delay * 2;
	}
	free(args);
	return r;
}

int
vs_guest_run(struct vs_client *vs, const char *moid,
	     const struct vs_guest_auth *a, const char *program,
	     const char *arguments, int timeout, int *exit_code,
	     struct mtv_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	char *pid = NULL;
	int r;

	*exit_code = -1;
	if (timeout <= 0)
		timeout = 60;
	strbuf_adds(&sb, "<spec xsi:type=\"GuestProgramSpec\"><programPath>");
	strbuf_add_xml(&sb, program);
	strbuf_adds(&sb, "</programPath><arguments>");
	strbuf_add_xml(&sb, arguments ? arguments : "");
	strbuf_adds(&sb, "</arguments></spec>");
	r = guest_call(vs, true, "StartProgramInGuest", moid, a, sb.buf, &doc,
		       &resp, err);
	strbuf_release(&sb);
	if (r == 0)
		pid = vs_ret_field(resp, NULL);
	xmlFreeDoc(doc);
	if (r != 0)
		return r;
	if (pid == NULL || *pid == '\0') {
		free(pid);
		return err_set(err, MTV_EPROTO,
			       "StartProgramInGuest of '%s' gave no process",
			       moid);
	}
	log_debug("guest of VM '%s': '%s' runs as process %s", moid, program,
		  pid);
	r = wait_process(vs, moid, a, pid, program, timeout, exit_code, err);
	free(pid);
	return r;
}

struct upload {
	const char *data;
	size_t len, off;
};

static size_t
on_read(char *p, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t k = size * n;

	if (k > u->len - u->off)
		k = u->len - u->off;
	memcpy(p, u->data + u->off, k);
	u->off += k;
	return k;
}

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct strbuf *sb = arg;

	if (sb->len + size * n > GUEST_MAX_FILE)
		return 0;
	strbuf_add(sb, p, size * n);
	return size * n;
}

/* An upload's answer body is not wanted. */
static size_t
on_discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p, (void)arg;
	return size * n;
}

struct xfer {
	struct vs_client *vs;
	CURL *h;
	bool pin_bad;
};

/* The pin, before the request is sent (see vsphere.c's on_prereq); a
 * transfer has a handle and a handshake of its own. */
static int
xfer_prereq(void *arg, char *ip, char *lip, int rport, int lport)
{
	struct xfer *x = arg;

	(void)ip, (void)lip, (void)rport, (void)lport;
	x->pin_bad = vs_pin_check(x->vs, x->h, NULL) != 1;
	return x->pin_bad ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK;
}

static int
xfer_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
	      curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return x->vs->cancel && *x->vs->cancel ? 1 : 0;
}

/* The transfer handle: TLS as the SOAP connection's, no trace of the URL
 * (its query is the transfer's ticket). */
static CURL *
xfer_handle(struct xfer *x, const char *url, char *errbuf)
{
	CURL *h = curl_easy_init();

	if (h == NULL)
		return NULL;
	x->h = h;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, xfer_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	vs_tls_apply(x->vs, h);
	if (x->vs->pinlen > 0) {
		curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, xfer_prereq);
		curl_easy_setopt(h, CURLOPT_PREREQDATA, x);
	}
	return h;
}

/* PUT data (when out is NULL) or GET into out at the transfer URL. */
static int
transfer(struct vs_client *vs, const char *moid, const char *path,
	 const char *turl, const void *data, size_t len, struct strbuf *out,
	 struct mtv_err *err)
{
	char *url = vs_guest_url(turl, vs->url), *shown = url_shown(url);
	char errbuf[CURL_ERROR_SIZE] = "";
	struct xfer x = { .vs = vs };
	struct upload u = { .data = data, .len = len };
	struct curl_slist *hdr = NULL;
	long status = 0;
	CURLcode c;
	CURL *h;
	int r;

	h = xfer_handle(&x, url, errbuf);
	if (h == NULL) {
		r = err_set(err, MTV_EINTERNAL, "cannot start libcurl");
		goto out;
	}
	if (out == NULL) {
		hdr = curl_slist_append(hdr, "Content-Type: "
					     "application/octet-stream");
		hdr = curl_slist_append(hdr, "Expect:");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, &u);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	}
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, out ? on_data : on_discard);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	log_debug("guest of VM '%s': %s '%s' through %s (%zu bytes)", moid,
		  out ? "GET" : "PUT", path, shown, len);
	c = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (c != CURLE_OK && x.pin_bad)
		r = err_set(err, MTV_EAUTH,
			    "guest file transfer server '%s' does not match "
			    "the vSphere thumbprint", shown);
	else if (c == CURLE_PEER_FAILED_VERIFICATION)
		r = err_set(err, MTV_EAUTH,
			    "TLS verification of '%s' failed: %s", shown,
			    errbuf[0] ? errbuf : curl_easy_strerror(c));
	else if (c == CURLE_ABORTED_BY_CALLBACK && vs->cancel && *vs->cancel)
		r = err_set(err, MTV_ECANCELED, "interrupted");
	else if (c != CURLE_OK)
		r = err_set(err, MTV_ENET,
			    "guest file transfer of '%s' (VM '%s') through "
			    "'%s' failed: %s", path, moid, shown,
			    errbuf[0] ? errbuf : curl_easy_strerror(c));
	else if (status < 200 || status > 299)
		r = err_set(err, status == 404 ? MTV_ENOTFOUND : MTV_EIO,
			    "guest file transfer of '%s' (VM '%s') through "
			    "'%s' failed: HTTP %ld", path, moid, shown,
			    status);
	else
		r = 0;
out:
	if (h)
		curl_easy_cleanup(h);
	curl_slist_free_all(hdr);
	freezero(url, strlen(url));
	free(shown);
	return r;
}

int
vs_guest_upload(struct vs_client *vs, const char *moid,
		const struct vs_guest_auth *a, const char *path,
		const void *data, size_t len, struct mtv_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	char *url = NULL;
	int r;

	strbuf_adds(&sb, "<guestFilePath>");
	strbuf_add_xml(&sb, path);
	strbuf_addf(&sb, "</guestFilePath><fileAttributes "
			 "xsi:type=\"GuestFileAttributes\"></fileAttributes>"
			 "<fileSize>%zu</fileSize>"
			 "<overwrite>true</overwrite>", len);
	r = guest_call(vs, false, "InitiateFileTransferToGuest", moid, a,
		       sb.buf, &doc, &resp, err);
	strbuf_release(&sb);
	if (r == 0)
		url = vs_ret_field(resp, NULL);
	xmlFreeDoc(doc);
	if (r == 0 && (url == NULL || *url == '\0'))
		r = err_set(err, MTV_EPROTO,
			    "InitiateFileTransferToGuest of '%s' gave no URL",
			    moid);
	if (r == 0)
		r = transfer(vs, moid, path, url, data, len, NULL, err);
	if (url)
		freezero(url, strlen(url));
	return r;
}

int
vs_guest_download(struct vs_client *vs, const char *moid,
		  const struct vs_guest_auth *a, const char *path,
		  char **data, size_t *len, struct mtv_err *err)
{
	struct strbuf sb = STRBUF_INIT, body = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	char *url = NULL, *size = NULL;
	int r;

	*data = NULL;
	*len = 0;
	strbuf_adds(&sb, "<guestFilePath>");
	strbuf_add_xml(&sb, path);
	strbuf_adds(&sb, "</guestFilePath>");
	r = guest_call(vs, false, "InitiateFileTransferFromGuest", moid, a,
		       sb.buf, &doc, &resp, err);
	strbuf_release(&sb);
	if (r == 0) {
		url = vs_ret_field(resp, "url");
		size = vs_ret_field(resp, "size");
	}
	xmlFreeDoc(doc);
	if (r == 0 && (url == NULL || *url == '\0'))
		r = err_set(err, MTV_EPROTO,
			    "InitiateFileTransferFromGuest of '%s' gave no URL",
			    moid);
	if (r == 0)
		r = transfer(vs, moid, path, url, NULL, 0, &body, err);
	/* the announced size, when there is one, is what must arrive */
	if (r == 0 && size && atoll(size) > 0 &&
	    (unsigned long long)atoll(size) != body.len)
		r = err_set(err, MTV_EPROTO,
			    "guest file '%s' of VM '%s': %zu bytes arrived, "
			    "%s announced", path, moid, body.len, size);
	if (r == 0) {
		*len = body.len;
		*data = strbuf_detach(&body);
	}
	strbuf_release(&body);
	if (url)
		freezero(url, strlen(url));
	free(size);
	return r;
}

int
vs_guest_temp(struct vs_client *vs, const char *moid,
	      const struct vs_guest_auth *a, const char *prefix,
	      const char *suffix, char **path, struct mtv_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	int r;

	*path = NULL;
	strbuf_adds(&sb, "<prefix>");
	strbuf_add_xml(&sb, prefix ? prefix : "");
	strbuf_adds(&sb, "</prefix><suffix>");
	strbuf_add_xml(&sb, suffix ? suffix : "");
	strbuf_adds(&sb, "</suffix>");
	r = guest_call(vs, false, "CreateTemporaryFileInGuest", moid, a,
		       sb.buf, &doc, &resp, err);
	strbuf_release(&sb);
	if (r == 0)
		*path = vs_ret_field(resp, NULL);
	xmlFreeDoc(doc);
	if (r == 0 && (*path == NULL || **path == '\0')) {
		free(*path);
		*path = NULL;
		r = err_set(err, MTV_EPROTO,
			    "CreateTemporaryFileInGuest of '%s' gave no path",
			    moid);
	}
	return r;
}

int
vs_guest_delete(struct vs_client *vs, const char *moid,
		const struct vs_guest_auth *a, const char *path,
		struct mtv_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	int r;

	strbuf_adds(&sb, "<filePath>");
	strbuf_add_xml(&sb, path);
	strbuf_adds(&sb, "</filePath>");
	r = guest_call(vs, false, "DeleteFileInGuest", moid, a, sb.buf, &doc,
		       &resp, err);
	strbuf_release(&sb);
	xmlFreeDoc(doc);
	if (r == MTV_ENOTFOUND && str_eq(vs->fault, "FileNotFound")) {
		if (err)
			err_clear(err);
		r = 0;
	}
	return r;
}
