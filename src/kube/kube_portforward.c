/* kube_portforward.c: KubeVirt's port-forward subresource as virtctl
 * port-forward uses it (kubevirt pkg/virtctl/portforward, client-go
 * kubecli's websocket helpers): a WebSocket (libwebsockets) to
 * .../virtualmachineinstances/NAME/portforward/PORT/tcp with the
 * subprotocol "plain.kubevirt.io", whose binary messages carry the TCP
 * stream both ways. The caller gets one end of a socket pair; a thread
 * owns the libwebsockets context, in which the other end is adopted as a
 * raw file, and pumps the bytes. TLS is an OpenSSL context of our own
 * with the cluster's CA and client certificate (inline or files), so the
 * forward is verified and authenticated as the client's requests are. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libwebsockets.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "kube/kube_int.h"

#define PF_PROTOCOL "plain.kubevirt.io"
#define PF_CHUNK 16384
/* received, not yet written: the most the forward holds. SSH's channel
 * window (2 MiB in libssh2) bounds what a peer sends ahead, so this is
 * only a guard: the WebSocket's own rx flow control is not used (lws
 * 4.1 does not resume a paused TLS connection from another wsi's
 * callback) */
#define PF_RX_MAX (256u << 20)
#define PF_CONNECT_S 30

struct pf {
	struct lws_context *ctx;
	struct lws *ws, *raw;
	int sock;			/* our end of the pair */
	SSL_CTX *ssl;
	char *auth;			/* "Bearer ...", wiped */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int state;			/* 0 connecting, 1 open, -1 failed */
	unsigned int status;		/* HTTP status of a refusal */
	char why[256];
	bool abort, done, sock_eof, ws_gone, raw_gone;
	bool handed;			/* the caller is done with pf */
	unsigned char tx[LWS_PRE + PF_CHUNK];	/* from sock, to send */
	size_t txlen;
	struct strbuf rx;		/* received, to write to sock */
	size_t rxoff;
};

static void
settle(struct pf *pf, int state)
{
	pthread_mutex_lock(&pf->mu);
	if (pf->state == 0)
		pf->state = state;
	pthread_cond_broadcast(&pf->cv);
	pthread_mutex_unlock(&pf->mu);
}

static int
on_append_headers(struct pf *pf, struct lws *wsi, void *in, size_t len)
{
	unsigned char **p = in, *end = *p + len;

	if (pf->auth == NULL)
		return 0;
	return lws_add_http_header_by_token(
		       wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
		       (const unsigned char *)pf->auth, (int)strlen(pf->auth),
		       p, end)
		       ? -1 : 0;
}

static int
on_established(struct pf *pf, struct lws *wsi)
{
	lws_sock_file_fd_type fd;

	pf->ws = wsi;
	fd.filefd = pf->sock;
	pf->raw = lws_adopt_descriptor_vhost(lws_get_vhost(wsi),
					     LWS_ADOPT_RAW_FILE_DESC, fd,
					     PF_PROTOCOL, NULL);
	if (pf->raw == NULL) {
		snprintf(pf->why, sizeof(pf->why),
			 "cannot adopt the socket pair");
		pf->sock = -1;	/* closed by the failed adoption */
		settle(pf, -1);
		return -1;
	}
	settle(pf, 1);
	return 0;
}

/* Bytes from the WebSocket: queue them for the socket pair. */
static int
on_ws_receive(struct pf *pf, struct lws *wsi, void *in, size_t len)
{
	if (lws_frame_is_binary(wsi) == 0 && len > 0)
		log_debug("port-forward: text message of %zu bytes taken as "
			  "data", len);
	if (pf->rx.len - pf->rxoff + len > PF_RX_MAX) {
		log_warn("port-forward: over %u bytes the caller does not "
			 "read: closing the forward", PF_RX_MAX);
		return -1;
	}
	strbuf_add(&pf->rx, in, len);
	if (pf->raw)
		lws_callback_on_writable(pf->raw);
	return 0;
}

static int
on_ws_writeable(struct pf *pf, struct lws *wsi)
{
	if (pf->txlen > 0) {
		int n = lws_write(wsi, pf->tx + LWS_PRE, pf->txlen,
				  LWS_WRITE_BINARY);

		if (n < (int)pf->txlen)
			return -1;
		pf->txlen = 0;
		if (pf->raw)
			lws_rx_flow_control(pf->raw, 1);
	}
	if (pf->sock_eof) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
		return -1;
	}
	return 0;
}

/* The caller wrote: read one chunk, hold further reads until it is
 * sent. */
static int
on_raw_rx(struct pf *pf, struct lws *wsi)
{
	ssize_t n;

	if (pf->txlen > 0) {
		lws_rx_flow_control(wsi, 0);
		return 0;
	}
	n = read(pf->sock, pf->tx + LWS_PRE, PF_CHUNK);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		pf->sock_eof = true;
		if (pf->ws)
			lws_callback_on_writable(pf->ws);
		return pf->rx.len > pf->rxoff ? 0 : -1;
	}
	pf->txlen = (size_t)n;
	lws_rx_flow_control(wsi, 0);
	if (pf->ws)
		lws_callback_on_writable(pf->ws);
	return 0;
}

static int
on_raw_writeable(struct pf *pf, struct lws *wsi)
{
	while (pf->rx.len > pf->rxoff) {
		/* send: no SIGPIPE when the caller has closed its end */
		ssize_t n = send(pf->sock, pf->rx.buf + pf->rxoff,
				 pf->rx.len - pf->rxoff, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			lws_callback_on_writable(wsi);
			return 0;
		}
		if (n <= 0)
			return -1;	/* the caller closed its end */
		pf->rxoff += (size_t)n;
	}
	strbuf_reset(&pf->rx);
	pf->rxoff = 0;
	/* the forward ended and everything reached the caller */
	return pf->ws_gone || pf->sock_eof ? -1 : 0;
}

/* A refused upgrade: the HTTP status, when lws still has it. */
static void
on_connect_error(struct pf *pf, struct lws *wsi, const void *in, size_t len)
{
	char code[8] = "";

	if (wsi) {
		pf->status = lws_http_client_http_response(wsi);
		if (pf->status == 0 &&
		    lws_hdr_copy(wsi, code, sizeof(code), WSI_TOKEN_HTTP) > 0)
			pf->status = (unsigned int)atoi(code);
	}
	if (pf->why[0] == '\0')
		snprintf(pf->why, sizeof(pf->why), "%.*s", in ? (int)len : 0,
			 in ? (const char *)in : "");
	pf->ws_gone = true;
	pf->done = true;
	settle(pf, -1);
}

static int
callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
	 void *in, size_t len)
{
	struct pf *pf = lws_context_user(lws_get_context(wsi));

	(void)user;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return on_append_headers(pf, wsi, in, len);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		on_connect_error(pf, wsi, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		return on_established(pf, wsi);
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return on_ws_receive(pf, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return on_ws_writeable(pf, wsi);
	case LWS_CALLBACK_CLIENT_CLOSED:
		pf->ws = NULL;
		pf->ws_gone = true;
		if (pf->raw == NULL)
			pf->done = true;
		else
			lws_callback_on_writable(pf->raw);
		return 0;
	case LWS_CALLBACK_RAW_RX_FILE:
		return on_raw_rx(pf, wsi);
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		return on_raw_writeable(pf, wsi);
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		pf->raw = NULL;
		pf->raw_gone = true;
		pf->sock = -1;	/* lws closed it */
		if (pf->ws)
			lws_callback_on_writable(pf->ws);
		else
			pf->done = true;
		pf->sock_eof = true;
		return 0;
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		/* user is the X509_STORE_CTX, len says whether it passed */
		if (len == 0 && user && pf->why[0] == '\0')
			snprintf(pf->why, sizeof(pf->why),
				 "TLS verification failed: %s",
				 X509_verify_cert_error_string(
					 X509_STORE_CTX_get_error(user)));
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (pf && pf->abort)
			pf->done = true;
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{ PF_PROTOCOL, callback, 0, PF_CHUNK, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void
pf_free(struct pf *pf)
{
	if (pf->ctx)
		lws_context_destroy(pf->ctx);
	if (pf->sock >= 0)
		close(pf->sock);
	if (pf->ssl)
		SSL_CTX_free(pf->ssl);
	if (pf->auth)
		freezero(pf->auth, strlen(pf->auth));
	strbuf_release(&pf->rx);
	pthread_mutex_destroy(&pf->mu);
	pthread_cond_destroy(&pf->cv);
	free(pf);
}

/* Pumps still running: a process that exits right after closing its
 * end waits a moment for them (its exit handlers free OpenSSL). */
static pthread_mutex_t pumps_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pumps_cv = PTHREAD_COND_INITIALIZER;
static int pumps;

static void
pumps_wait(void)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&pumps_mu);
	while (pumps > 0 && pthread_cond_timedwait(&pumps_cv, &pumps_mu,
						   &until) == 0)
		;
	pthread_mutex_unlock(&pumps_mu);
}

static void
pumps_add(int n)
{
	static bool registered;

	pthread_mutex_lock(&pumps_mu);
	if (!registered)
		registered = atexit(pumps_wait) == 0;
	pumps += n;
	pthread_cond_broadcast(&pumps_cv);
	pthread_mutex_unlock(&pumps_mu);
}

static void *
pump(void *arg)
{
	struct pf *pf = arg;
	bool failed;

	while (!pf->done)
		if (lws_service(pf->ctx, 0) < 0)
			break;
	pthread_mutex_lock(&pf->mu);
	if (pf->state == 0)
		pf->state = -1;
	failed = pf->state < 0;
	pthread_cond_broadcast(&pf->cv);
	/* the caller reads pf until it has taken its end */
	while (!failed && !pf->handed)
		pthread_cond_wait(&pf->cv, &pf->mu);
	pthread_mutex_unlock(&pf->mu);
	/* a failed forward is the caller's to free (it joins us) */
	if (!failed) {
		pf_free(pf);
		pumps_add(-1);
	}
	return NULL;
}

static void
lws_to_log(int level, const char *line)
{
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	log_debug("libwebsockets (%d): %.*s", level, (int)n, line);
}

static pthread_once_t lws_once = PTHREAD_ONCE_INIT;

static void
lws_log_init(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_to_log);
}

/* PEM certificates into the context's trust store (CA) or as its
 * client certificate and chain. */
static int
pem_certs(SSL_CTX *ctx, const unsigned char *data, size_t len, bool ca)
{
	BIO *b = BIO_new_mem_buf(data, (int)len);
	X509 *x;
	int n = 0;

	while (b && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		int ok;

		if (ca)
			ok = X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx),
						 x);
		else if (n == 0)
			ok = SSL_CTX_use_certificate(ctx, x);
		else
			ok = SSL_CTX_add_extra_chain_cert(ctx, x) ? 2 : 0;
		if (ok != 2)
			X509_free(x);
		if (!ok)
			break;
		n++;
	}
	ERR_clear_error();
	BIO_free(b);
	return n > 0 ? 0 : -1;
}

static int
pem_key(SSL_CTX *ctx, const unsigned char *data, size_t len)
{
	BIO *b = BIO_new_mem_buf(data, (int)len);
	EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
	int ok = k && SSL_CTX_use_PrivateKey(ctx, k) == 1;

	EVP_PKEY_free(k);
	BIO_free(b);
	return ok ? 0 : -1;
}

/* The OpenSSL context: the cluster's CA (none: the system's), the client
 * certificate and key, and the name the certificate must carry. */
static int
tls_context(struct pf *pf, const struct kube_conf *c, const char *name,
	    struct mtv_err *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	const char *what = NULL;

	if (ctx == NULL)
		return err_set(err, MTV_EINTERNAL, "cannot create a TLS "
			       "context");
	pf->ssl = ctx;
	SSL_CTX_set_verify(ctx, c->insecure ? SSL_VERIFY_NONE
					    : SSL_VERIFY_PEER, NULL);
	if (c->ca_data && pem_certs(ctx, c->ca_data, c->ca_len, true) != 0)
		what = "certificate-authority-data";
	else if (!c->ca_data && c->ca_file &&
		 SSL_CTX_load_verify_locations(ctx, c->ca_file, NULL) != 1)
		what = "certificate-authority";
	else if (!c->ca_data && !c->ca_file)
		SSL_CTX_set_default_verify_paths(ctx);
	if (!what && c->cert_data &&
	    pem_certs(ctx, c->cert_data, c->cert_len, false) != 0)
		what = "client-certificate-data";
	else if (!what && !c->cert_data && c->cert_file &&
		 SSL_CTX_use_certificate_chain_file(ctx, c->cert_file) != 1)
		what = "client-certificate";
	if (!what && c->key_data && pem_key(ctx, c->key_data, c->key_len) != 0)
		what = "client-key-data";
	else if (!what && !c->key_data && c->key_file &&
		 SSL_CTX_use_PrivateKey_file(ctx, c->key_file,
					     SSL_FILETYPE_PEM) != 1)
		what = "client-key";
	ERR_clear_error();
	if (what)
		return err_set(err, MTV_EINVAL,
			       "port-forward: the kubeconfig's %s cannot be "
			       "used", what);
	if (!c->insecure) {
		X509_VERIFY_PARAM *p = SSL_CTX_get0_param(ctx);

		X509_VERIFY_PARAM_set_hostflags(
			p, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (!X509_VERIFY_PARAM_set1_ip_asc(p, name))
			X509_VERIFY_PARAM_set1_host(p, name, 0);
	}
	return 0;
}

MTV_STATIC void
kube_pf_target_release(struct kube_pf_target *t)
{
	free(t->host);
	free(t->path);
}

/* The server URL and the subresource path into a connection target. */
MTV_STATIC int
kube_pf_target(struct kube_pf_target *t, const char *server,
	       const char *ns, const char *vmi, int port)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *sport = NULL, *path = NULL;
	char *ens = url_encode(ns), *evmi = url_encode(vmi);
	size_t plen = 0;
	int r = -1;

	memset(t, 0, sizeof(*t));
	if (curl_url_set(u, CURLUPART_URL, server, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &sport, CURLU_DEFAULT_PORT) !=
		    CURLUE_OK)
		goto out;
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	/* a server URL with a path (a proxy's prefix) keeps it */
	if (path)
		for (plen = strlen(path); plen > 0 && path[plen - 1] == '/';)
			plen--;
	t->tls = strcmp(scheme, "https") == 0;
	if (host[0] == '[')
		t->host = xstrndup(host + 1, strlen(host) - 2);
	else
		t->host = xstrdup(host);
	t->port = atoi(sport);
	t->path = xasprintf("%.*s/apis/subresources.kubevirt.io/v1/namespaces/"
			    "%s/virtualmachineinstances/%s/portforward/%d/tcp",
			    (int)plen, path ? path : "", ens, evmi, port);
	r = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(sport);
	curl_free(path);
	curl_url_cleanup(u);
	free(ens);
	free(evmi);
	return r;
}

/* The context and the connection; the pump thread takes over from here. */
static int
pf_connect(struct pf *pf, struct kube_client *k,
	   const struct kube_pf_target *t, struct mtv_err *err)
{
	const char *name = k->conf.tls_server_name ? k->conf.tls_server_name
						   : t->host;
	struct lws_context_creation_info ci;
	struct lws_client_connect_info cc;

	pthread_once(&lws_once, lws_log_init);
	if (t->tls && tls_context(pf, &k->conf, name, err) != 0)
		return err->code;
	memset(&ci, 0, sizeof(ci));
	ci.port = CONTEXT_PORT_NO_LISTEN;
	ci.protocols = protocols;
	ci.user = pf;
	ci.timeout_secs = PF_CONNECT_S;
	ci.connect_timeout_secs = PF_CONNECT_S;
	ci.fd_limit_per_thread = 16;
	/* room for a service account's long token in the handshake */
	ci.pt_serv_buf_size = 32768;
	if (t->tls) {
		ci.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		ci.provided_client_ssl_ctx = pf->ssl;
	}
	pf->ctx = lws_create_context(&ci);
	if (pf->ctx == NULL)
		return err_set(err, MTV_EINTERNAL,
			       "cannot create a libwebsockets context");
	memset(&cc, 0, sizeof(cc));
	cc.context = pf->ctx;
	cc.address = t->host;
	cc.port = t->port;
	cc.path = t->path;
	cc.host = name;
	cc.protocol = PF_PROTOCOL;
	cc.ietf_version_or_minus_one = -1;
	if (t->tls)
		cc.ssl_connection = LCCSCF_USE_SSL |
				    LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;
	if (t->tls && k->conf.insecure)
		cc.ssl_connection |= LCCSCF_ALLOW_SELFSIGNED |
				     LCCSCF_ALLOW_EXPIRED |
				     LCCSCF_ALLOW_INSECURE;
	/* a NULL wsi has reported its error through the callback */
	if (lws_client_connect_via_info(&cc) == NULL && pf->state == 0)
		settle(pf, -1);
	return 0;
}

/* Connect, start the pump and wait for the upgrade's outcome. */
static int
forward_once(struct kube_client *k, const struct kube_pf_target *t,
	     int *fd, unsigned int *status, char *why, size_t whylen,
	     struct mtv_err *err)
{
	struct pf *pf = xcalloc(1, sizeof(*pf));
	struct timespec until;
	long long deadline;
	pthread_t th;
	int sv[2], st, r;

	*status = 0;
	pthread_mutex_init(&pf->mu, NULL);
	pthread_cond_init(&pf->cv, NULL);
	pf->sock = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		pf_free(pf);
		return err_set(err, MTV_EINTERNAL, "socketpair: %s",
			       strerror(errno));
	}
	pf->sock = sv[1];
	fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK);
	if (k->conf.token)
		pf->auth = xasprintf("Bearer %s", k->conf.token);
	r = pf_connect(pf, k, t, err);
	if (r == 0 && pthread_create(&th, NULL, pump, pf) != 0)
		r = err_set(err, MTV_EINTERNAL, "cannot start a thread");
	if (r != 0) {
		pf_free(pf);
		close(sv[0]);
		return r;
	}
	k->st.requests++;
	/* lws ends the attempt after PF_CONNECT_S; the slices see an
	 * interrupt */
	deadline = clock_ms() + (PF_CONNECT_S + 10) * 1000LL;
	pthread_mutex_lock(&pf->mu);
	while (pf->state == 0 && clock_ms() < deadline &&
	       !(k->cancel && *k->cancel)) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 200 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&pf->cv, &pf->mu, &until);
	}
	st = pf->state;
	if (st == 1) {
		pumps_add(1);
		pf->handed = true;
		pthread_cond_broadcast(&pf->cv);
	}
	pthread_mutex_unlock(&pf->mu);
	if (st == 1) {
		pthread_detach(th);
		*fd = sv[0];
		return 0;
	}
	pf->abort = true;
	lws_cancel_service(pf->ctx);
	pthread_join(th, NULL);
	*status = pf->status;
	snprintf(why, whylen, "%s", pf->why[0] ? pf->why
			  : st == 0 ? "no answer" : "connection failed");
	pf_free(pf);
	close(sv[0]);
	if (st == 0 && k->cancel && *k->cancel)
		return err_set(err, MTV_ECANCELED, "port-forward: interrupted");
	return MTV_ENET;
}

static bool
has_word(const char *s, const char *w)
{
	return strcasestr(s, w) != NULL;
}

/* A refused forward as an error that says why. */
static int
explain(struct kube_client *k, const char *ns, const char *vmi, int port,
	unsigned int status, const char *why, struct mtv_err *err)
{
	char *path, *where = xasprintf("port-forward to port %d of "
				       "VirtualMachineInstance \"%s/%s\"",
				       port, ns, vmi);
	json_object *o = NULL;
	struct mtv_err e2 = { 0 };
	const char *phase;
	int r;

	if (status == 401) {
		r = err_set(err, MTV_ELOGIN, "%s: unauthorized (HTTP 401)",
			    where);
		if (err)
			kube_login_refused(k, err);
	} else if (status == 403) {
		r = err_set(err, MTV_EAUTH, "%s: forbidden (HTTP 403): the "
			    "credentials may not create "
			    "virtualmachineinstances/portforward", where);
	} else if (status == 0) {
		r = err_set(err, has_word(why, "TLS") || has_word(why, "SSL")
					 ? MTV_EAUTH : MTV_ENET,
			    "%s: %s (cluster \"%s\")", where, why,
			    k->conf.server);
	} else {
		path = kube_path("VirtualMachineInstance", ns, vmi);
		r = kube_get(k, path, &o, &e2);
		free(path);
		phase = jstr(jget(o, "status"), "phase");
		if (r == MTV_ENOTFOUND)
			r = err_set(err, MTV_ENOTFOUND, "%s: no such "
				    "VirtualMachineInstance (HTTP %u)", where,
				    status);
		else if (r == 0 && !str_eq(phase, "Running"))
			r = err_set(err, MTV_EIO, "%s: the VMI is not running "
				    "(phase %s; HTTP %u)", where,
				    phase ? phase : "unknown", status);
		else
			r = err_set(err, status == 404 ? MTV_ENOTFOUND
						       : MTV_EPROTO,
				    "%s: refused (HTTP %u)", where, status);
		json_object_put(o);
	}
	free(where);
	return r;
}

int
kube_portforward(struct kube_client *k, const char *ns, const char *vmi,
		 int port, int *fd, struct mtv_err *err)
{
	struct kube_pf_target t;
	unsigned int status = 0;
	char why[256] = "";
	int attempt, r;

	*fd = -1;
	if (ns == NULL || *ns == '\0' || vmi == NULL || *vmi == '\0' ||
	    port <= 0 || port > 65535)
		return err_set(err, MTV_EINVAL, "port-forward: a namespace, a "
			       "VMI name and a port are needed");
	if (k->conf.proxy_url)
		return err_set(err, MTV_EINVAL, "port-forward through the "
			       "kubeconfig's proxy-url is not supported");
	if (kube_pf_target(&t, k->conf.server, ns, vmi, port) != 0)
		return err_set(err, MTV_EINVAL, "port-forward: bad server "
			       "URL \"%s\"", k->conf.server);
	for (attempt = 0; attempt < 2; attempt++) {
		r = kube_token_refresh(k, err);
		if (r != 0)
			break;
		r = forward_once(k, &t, fd, &status, why, sizeof(why), err);
		if (r != MTV_ENET || status != 401 || attempt > 0)
			break;
		/* a refused token: one new one, the way it came */
		if (kube_reauth(k, err) != 0)
			break;
	}
	if (r == MTV_ENET)
		r = explain(k, ns, vmi, port, status, why, err);
	else if (r == 0)
		log_debug("port-forward to port %d of VirtualMachineInstance "
			  "\"%s/%s\" open", port, ns, vmi);
	kube_pf_target_release(&t);
	return r;
}
