/* vsphere.c: vim25 SOAP client over one kept-alive HTTPS connection. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"
#include "vsphere/vsphere.h"
#include "vsphere/vs_int.h"

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"
#define MAX_BODY (64u << 20)

struct vs_view {
	char *type;
	char *moid;
};

struct vs_client {
	CURL *h;
	struct curl_slist *hdrs;
	char *url;
	char *user;
	struct secret *pw;
	unsigned char pin[32];
	int pinlen;
	bool pin_bad;
	int pin_port; /* local port of the verified connection */
	int gen;			/* logins so far: session objects die */
	bool logged_in;
	char *pc, *view_mgr, *session_mgr, *root, *file_mgr, *search;
	char *wpc;			/* private collector for waits */
	struct vs_view views[8];
	size_t nviews;
	long calls;
	char fault[128];		/* type of the last fault, "" if none */
	char errbuf[CURL_ERROR_SIZE];
};

/* ---- hashes for the certificate pin ---- */

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
md_pad(const void *data, size_t len, unsigned char **out, size_t *olen)
{
	size_t n = ((len + 9 + 63) / 64) * 64;
	unsigned char *b = xcalloc(1, n);
	uint64_t bits = (uint64_t)len * 8;
	int i;

	memcpy(b, data, len);
	b[len] = 0x80;
	for (i = 0; i < 8; i++)
		b[n - 1 - i] = (unsigned char)(bits >> (8 * i));
	*out = b;
	*olen = n;
}

void
vs_sha1(const void *data, size_t len, unsigned char out[20])
{
	uint32_t h[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476,
			  0xC3D2E1F0 };
	unsigned char *b;
	size_t n, off;
	int i;

	md_pad(data, len, &b, &n);
	for (off = 0; off < n; off += 64) {
		uint32_t w[80], a = h[0], bb = h[1], c = h[2], d = h[3],
			 e = h[4], f, k, t;

		for (i = 0; i < 16; i++)
			w[i] = (uint32_t)b[off + 4 * i] << 24 |
			       (uint32_t)b[off + 4 * i + 1] << 16 |
			       (uint32_t)b[off + 4 * i + 2] << 8 |
			       b[off + 4 * i + 3];
		for (i = 16; i < 80; i++)
			w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16],
				   1);
		for (i = 0; i < 80; i++) {
			if (i < 20) {
				f = (bb & c) | (~bb & d);
				k = 0x5A827999;
			} else if (i < 40) {
				f = bb ^ c ^ d;
				k = 0x6ED9EBA1;
			} else if (i < 60) {
				f = (bb & c) | (bb & d) | (c & d);
				k = 0x8F1BBCDC;
			} else {
				f = bb ^ c ^ d;
				k = 0xCA62C1D6;
			}
			t = ROL(a, 5) + f + e + k + w[i];
			e = d;
			d = c;
			c = ROL(bb, 30);
			bb = a;
			a = t;
		}
		h[0] += a;
		h[1] += bb;
		h[2] += c;
		h[3] += d;
		h[4] += e;
	}
	free(b);
	for (i = 0; i < 20; i++)
		out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

static const uint32_t K256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

void
vs_sha256(const void *data, size_t len, unsigned char out[32])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	unsigned char *b;
	size_t n, off;
	int i;

	md_pad(data, len, &b, &n);
	for (off = 0; off < n; off += 64) {
		uint32_t w[64], v[8], t1, t2;

		for (i = 0; i < 16; i++)
			w[i] = (uint32_t)b[off + 4 * i] << 24 |
			       (uint32_t)b[off + 4 * i + 1] << 16 |
			       (uint32_t)b[off + 4 * i + 2] << 8 |
			       b[off + 4 * i + 3];
		for (i = 16; i < 64; i++) {
			uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
				      (w[i - 15] >> 3);
			uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
				      (w[i - 2] >> 10);
			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		memcpy(v, h, sizeof(v));
		for (i = 0; i < 64; i++) {
			t1 = v[7] +
			     (ROR(v[4], 6) ^ ROR(v[4], 11) ^ ROR(v[4], 25)) +
			     ((v[4] & v[5]) ^ (~v[4] & v[6])) + K256[i] + w[i];
			t2 = (ROR(v[0], 2) ^ ROR(v[0], 13) ^ ROR(v[0], 22)) +
			     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
			memmove(v + 1, v, 7 * sizeof(v[0]));
			v[4] += t1;
			v[0] = t1 + t2;
		}
		for (i = 0; i < 8; i++)
			h[i] += v[i];
	}
	free(b);
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(h[i / 4] >> (24 - 8 * (i % 4)));
}

int
vs_thumbprint_parse(const char *s, unsigned char out[32])
{
	int n = 0, hi = -1;

	if (s == NULL)
		return -1;
	for (; *s; s++) {
		int v;

		if (*s == ':' || *s == ' ') {
			if (hi >= 0)
				return -1;
			continue;
		}
		if (!isxdigit((unsigned char)*s))
			return -1;
		v = isdigit((unsigned char)*s) ? *s - '0' :
		    tolower((unsigned char)*s) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == 32)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0 || (n != 20 && n != 32))
		return -1;
	return n;
}

/* ---- pure helpers ---- */

int
vs_unit_free(const int *used, size_t n)
{
	int u;
	size_t i;

	for (u = 0; u < 16; u++) {
		bool taken = (u == 7);

		for (i = 0; i < n && !taken; i++)
			taken = used[i] == u;
		if (!taken)
			return u;
	}
	return -1;
}

char *
vs_envelope(const char *method, const char *type, const char *moid,
	    const char *args)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(
		&sb,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
		" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
		" xmlns:xsi=\"" XSI_NS "\"><soapenv:Body>");
	strbuf_addf(&sb, "<%s xmlns=\"urn:vim25\"><_this type=\"%s\">", method,
		    type);
	strbuf_add_xml(&sb, moid);
	strbuf_adds(&sb, "</_this>");
	if (args)
		strbuf_adds(&sb, args);
	strbuf_addf(&sb, "</%s></soapenv:Body></soapenv:Envelope>", method);
	return strbuf_detach(&sb);
}

static const char *
provision_thin(const char *p)
{
	return str_eq(p, "thin") ? "true" : "false";
}

void
vs_xml_disk_add(struct strbuf *sb, const struct vs_disk_spec *d)
{
	bool rdm = d->rdm_uuid != NULL;

	if (str_eq(d->operation, "destroy"))
		strbuf_adds(sb, "<deviceChange><operation>remove</operation>"
			    "<fileOperation>destroy</fileOperation>"
			    "<device xsi:type=\"VirtualDisk\">");
	else if (d->operation)
		strbuf_addf(sb, "<deviceChange><operation>%s</operation>"
			    "<device xsi:type=\"VirtualDisk\">", d->operation);
	else
		strbuf_adds(sb, "<deviceChange><operation>add</operation>"
			    "<fileOperation>create</fileOperation>"
			    "<device xsi:type=\"VirtualDisk\">");
	strbuf_addf(sb, "<key>%d</key>", d->key);
	if (d->label) {
		strbuf_adds(sb, "<deviceInfo><label>");
		strbuf_add_xml(sb, d->label);
		strbuf_adds(sb, "</label><summary></summary></deviceInfo>");
	}
	strbuf_addf(sb, "<backing xsi:type=\"%s\"><fileName>",
		    rdm ? "VirtualDiskRawDiskMappingVer1BackingInfo"
			: "VirtualDiskFlatVer2BackingInfo");
	strbuf_add_xml(sb, d->file ? d->file : "");
	strbuf_adds(sb, "</fileName>");
	if (d->datastore) {
		strbuf_adds(sb, "<datastore type=\"Datastore\">");
		strbuf_add_xml(sb, d->datastore);
		strbuf_adds(sb, "</datastore>");
	}
	if (rdm) {
		strbuf_adds(sb, "<lunUuid>");
		strbuf_add_xml(sb, d->rdm_uuid);
		strbuf_adds(sb, "</lunUuid><deviceName>");
		strbuf_add_xml(sb, d->rdm_device ? d->rdm_device : "");
		strbuf_addf(
			sb,
			"</deviceName><compatibilityMode>%s</compatibilityMode>",
			str_eq(d->rdm_compat, "physical") ? "physicalMode"
							  : "virtualMode");
		strbuf_addf(sb, "<diskMode>%s</diskMode></backing>",
			    str_eq(d->rdm_compat, "physical") ?
			    "independent_persistent" :
			    (d->mode ? d->mode : "persistent"));
	} else {
		strbuf_addf(sb,
			    "<diskMode>%s</diskMode>"
			    "<thinProvisioned>%s</thinProvisioned>"
			    "<eagerlyScrub>%s</eagerlyScrub></backing>",
			    d->mode ? d->mode : "persistent",
			    provision_thin(d->provision),
			    str_eq(d->provision, "thick-eager") ? "true"
								: "false");
	}
	strbuf_addf(
		sb,
		"<controllerKey>%d</controllerKey><unitNumber>%d</unitNumber>"
		"<capacityInKB>%lld</capacityInKB></device></deviceChange>",
		d->controller_key, d->unit, d->size_kb);
}

void
vs_xml_controller_add(struct strbuf *sb, int key, int bus)
{
	strbuf_addf(
		sb,
		"<deviceChange><operation>add</operation>"
		"<device xsi:type=\"ParaVirtualSCSIController\"><key>%d</key>"
		"<busNumber>%d</busNumber><sharedBus>noSharing</sharedBus>"
		"</device></deviceChange>",
		key, bus);
}

/* ---- XML ---- */

xmlNodePtr
vs_xml_child(xmlNodePtr n, const char *name)
{
	for (n = n ? n->children : NULL; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    (name == NULL || strcmp((const char *)n->name, name) == 0))
			return n;
	return NULL;
}

static xmlNodePtr
xnext(xmlNodePtr n, const char *name)
{
	for (n = n->next; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    (name == NULL || strcmp((const char *)n->name, name) == 0))
			return n;
	return NULL;
}

/* Text of n (owned by the caller), "" when empty. */
static char *
xtext(xmlNodePtr n)
{
	xmlChar *c = n ? xmlNodeGetContent(n) : NULL;
	char *s = xstrdup(c ? (const char *)c : "");

	xmlFree(c);
	return s;
}

static char *
xsi_type(xmlNodePtr n)
{
	xmlChar *c = xmlGetNsProp(n, BAD_CAST "type", BAD_CAST XSI_NS);
	char *s = c ? xstrdup((const char *)c) : NULL;
	const char *colon;

	xmlFree(c);
	if (s && (colon = strchr(s, ':')) != NULL)
		memmove(s, colon + 1, strlen(colon));
	return s;
}

json_object *
vs_xml_to_json(xmlNodePtr n)
{
	char *t = xsi_type(n);
	json_object *o;
	xmlNodePtr c;

	if (vs_xml_child(n, NULL) == NULL) {
		char *s = xtext(n);

		o = json_object_new_string(s);
		free(s);
		free(t);
		return o;
	}
	if (t && str_startswith(t, "ArrayOf")) {
		o = json_object_new_array();
		for (c = vs_xml_child(n, NULL); c; c = xnext(c, NULL))
			json_object_array_add(o, vs_xml_to_json(c));
		free(t);
		return o;
	}
	o = json_object_new_object();
	if (t)
		json_object_object_add(o, "_type", json_object_new_string(t));
	for (c = vs_xml_child(n, NULL); c; c = xnext(c, NULL)) {
		const char *k = (const char *)c->name;
		json_object *prev = NULL, *v = vs_xml_to_json(c);
		int count = 0;
		xmlNodePtr d;

		for (d = vs_xml_child(n, k); d; d = xnext(d, k))
			count++;
		if (count > 1) {
			if (!json_object_object_get_ex(o, k, &prev)) {
				prev = json_object_new_array();
				json_object_object_add(o, k, prev);
			}
			json_object_array_add(prev, v);
		} else {
			json_object_object_add(o, k, v);
		}
	}
	free(t);
	return o;
}

int
vs_fault_parse(const char *body, size_t len, char **type, char **text)
{
	xmlDocPtr doc = xmlReadMemory(body, (int)len, "fault.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR |
				      XML_PARSE_NOWARNING);
	xmlNodePtr b, f, d;
	int r = -1;

	*type = *text = NULL;
	if (doc == NULL)
		return -1;
	b = vs_xml_child(xmlDocGetRootElement(doc), "Body");
	f = vs_xml_child(b, "Fault");
	if (f == NULL)
		goto out;
	*text = xtext(vs_xml_child(f, "faultstring"));
	d = vs_xml_child(vs_xml_child(f, "detail"), NULL);
	if (d) {
		*type = xsi_type(d);
		if (*type == NULL) {
			const char *nm = (const char *)d->name;
			size_t l = strlen(nm);

			if (l > 5 && strcmp(nm + l - 5, "Fault") == 0)
				l -= 5;
			*type = xstrndup(nm, l);
		}
	} else {
		*type = xtext(vs_xml_child(f, "faultcode"));
	}
	r = 0;
out:
	xmlFreeDoc(doc);
	return r;
}

/* ---- transport ---- */

static size_t
on_write(char *p, size_t size, size_t n, void *arg)
{
	struct strbuf *sb = arg;

	if (sb->len + size * n > MAX_BODY)
		return 0;
	strbuf_add(sb, p, size * n);
	return size * n;
}

static bool
has(const char *d, size_t n, const char *what)
{
	size_t i, l = strlen(what);

	for (i = 0; i + l <= n; i++)
		if (strncasecmp(d + i, what, l) == 0)
			return true;
	return false;
}

static int
on_debug(CURL *h, curl_infotype t, char *data, size_t n, void *arg)
{
	char *s;

	(void)h;
	(void)arg;
	if (t != CURLINFO_TEXT && t != CURLINFO_HEADER_IN &&
	    t != CURLINFO_HEADER_OUT && t != CURLINFO_DATA_IN &&
	    t != CURLINFO_DATA_OUT)
		return 0;
	/* libcurl's cookie engine prints the session value in quotes, which
	 * the header masking does not cover */
	if (t == CURLINFO_TEXT && has(data, n, "cookie")) {
		log_trace("vsphere * (session cookie stored)");
		return 0;
	}
	/* the UserSession key is the session cookie's value */
	if (t == CURLINFO_DATA_IN && has(data, n, "LoginResponse")) {
		log_trace("vsphere < (login response not shown: session key)");
		return 0;
	}
	s = xstrndup(data, n);
	log_trace("vsphere %s %s",
		  t == CURLINFO_TEXT                                   ? "*"
		  : (t == CURLINFO_HEADER_IN || t == CURLINFO_DATA_IN) ? "<"
								       : ">",
		  s);
	free(s);
	return 0;
}

/* The pin is checked once the TLS handshake is done and before any byte of
 * the request (Login carries the password) is sent: the leaf certificate
 * comes from CURLINFO_CERTINFO (PEM), its DER is hashed with SHA-1 or
 * SHA-256 as govc does; CURLOPT_PINNEDPUBLICKEY would pin the public key
 * instead of the certificate. */
static int
on_prereq(void *arg, char *ip, char *lip, int rport, int lport)
{
	struct vs_client *vs = arg;
	struct curl_certinfo *ci = NULL;
	struct curl_slist *l;
	unsigned char h[32], *der = NULL;
	size_t derlen = 0;
	int ok = 0;

	(void)ip;
	(void)lip;
	(void)rport;
	if (vs->pinlen == 0)
		return CURL_PREREQFUNC_OK;
	if (curl_easy_getinfo(vs->h, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1) {
		/* a reused connection has no new handshake: it is the one
		 * verified before when its local port is the same */
		ok = vs->pin_port != 0 && lport == vs->pin_port;
		goto out;
	}
	for (l = ci->certinfo[0]; l; l = l->next) {
		struct strbuf b64 = STRBUF_INIT;
		const char *p, *e;

		if (!str_startswith(l->data, "Cert:"))
			continue;
		p = strstr(l->data, "-----BEGIN CERTIFICATE-----");
		e = p ? strstr(p, "-----END CERTIFICATE-----") : NULL;
		if (p == NULL || e == NULL)
			break;
		for (p += 27; p < e; p++)
			if (!isspace((unsigned char)*p))
				strbuf_addc(&b64, *p);
		if (b64_decode(&der, &derlen, strbuf_str(&b64)) != 0)
			der = NULL;
		strbuf_release(&b64);
		break;
	}
	if (der == NULL)
		goto out;
	if (vs->pinlen == 20)
		vs_sha1(der, derlen, h);
	else
		vs_sha256(der, derlen, h);
	ok = memcmp(h, vs->pin, (size_t)vs->pinlen) == 0;
	vs->pin_port = ok ? lport : 0;
	free(der);
out:
	vs->pin_bad = !ok;
	return ok ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT;
}

static bool
dropped(CURLcode c)
{
	return c == CURLE_GOT_NOTHING || c == CURLE_RECV_ERROR ||
	       c == CURLE_SEND_ERROR || c == CURLE_PARTIAL_FILE;
}

/* POST one envelope; a connection dropped before the answer is retried once
 * on a fresh connection (callers only send calls that are safe to repeat or
 * check the outcome themselves). */
static int
post(struct vs_client *vs, const char *method, const char *body,
     struct strbuf *resp, long *status, struct mtv_err *err)
{
	CURLcode c = CURLE_OK;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		strbuf_reset(resp);
		curl_easy_setopt(vs->h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(vs->h, CURLOPT_WRITEDATA, resp);
		vs->errbuf[0] = '\0';
		vs->calls++;
		c = curl_easy_perform(vs->h);
		if (c == CURLE_OK)
			break;
		if (vs->pin_bad)
			return err_set(
				err, MTV_EAUTH,
				"vSphere server '%s' does not match the thumbprint",
				vs->url);
		if (!dropped(c) || attempt == 1)
			break;
		log_warn("vSphere %s: connection dropped (%s), retrying once",
			 method, curl_easy_strerror(c));
		curl_easy_setopt(vs->h, CURLOPT_FRESH_CONNECT, 1L);
	}
	curl_easy_setopt(vs->h, CURLOPT_FRESH_CONNECT, 0L);
	if (c != CURLE_OK)
		return err_set(err, MTV_ENET, "vSphere %s on '%s' failed: %s",
			       method, vs->url,
			       vs->errbuf[0] ? vs->errbuf
					     : curl_easy_strerror(c));
	curl_easy_getinfo(vs->h, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

static int login(struct vs_client *vs, struct mtv_err *err);

static int
fault_code(const char *type)
{
	if (str_eq(type, "NotAuthenticated") || str_eq(type, "InvalidLogin") ||
	    str_eq(type, "NoPermission"))
		return MTV_EAUTH;
	if (str_eq(type, "ManagedObjectNotFound") ||
	    str_eq(type, "FileNotFound"))
		return MTV_ENOTFOUND;
	if (str_eq(type, "DuplicateName") || str_eq(type, "FileAlreadyExists"))
		return MTV_ECONFLICT;
	return MTV_EIO;
}

const char *
vs_last_fault(const struct vs_client *vs)
{
	return vs->fault;
}

long
vs_calls(const struct vs_client *vs)
{
	return vs ? vs->calls : 0;
}

int
vs_call(struct vs_client *vs, const char *method, const char *type,
	const char *moid, const char *args, const char *what,
	xmlDocPtr *docp, xmlNodePtr *resp, struct mtv_err *err)
{
	struct strbuf body = STRBUF_INIT;
	char *env = vs_envelope(method, type, moid, args);
	char *ft = NULL, *fs = NULL;
	xmlDocPtr doc = NULL;
	long status = 0;
	int relogged = 0, r;

	*docp = NULL;
	*resp = NULL;
	vs->fault[0] = '\0';
again:
	r = post(vs, method, env, &body, &status, err);
	if (r != 0)
		goto out;
	if (vs_fault_parse(body.buf ? body.buf : "", body.len, &ft, &fs) == 0) {
		snprintf(vs->fault, sizeof(vs->fault), "%s", ft ? ft : "");
		if (str_eq(ft, "NotAuthenticated") && vs->logged_in &&
		    !relogged) {
			log_verbose(
				"vSphere session expired, logging in again");
			free(ft);
			free(fs);
			ft = fs = NULL;
			relogged = 1;
			r = login(vs, err);
			if (r != 0)
				goto out;
			goto again;
		}
		r = err_set(err, fault_code(ft), "%s of '%s' failed: %s%s%s",
			    method, what ? what : moid, ft ? ft : "fault",
			    fs && *fs ? ": " : "", fs ? fs : "");
		goto out;
	}
	if (status != 200) {
		r = err_set(err, MTV_EPROTO, "%s of '%s' failed: HTTP %ld",
			    method, what ? what : moid, status);
		goto out;
	}
	doc = xmlReadMemory(body.buf ? body.buf : "", (int)body.len, "r.xml",
			    NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING | XML_PARSE_HUGE);
	if (doc == NULL) {
		r = err_set(err, MTV_EPROTO,
			    "%s of '%s' failed: the answer is not XML", method,
			    what ? what : moid);
		goto out;
	}
	*resp = vs_xml_child(vs_xml_child(xmlDocGetRootElement(doc), "Body"),
			     NULL);
	*docp = doc;
	doc = NULL;
	r = 0;
out:
	free(ft);
	free(fs);
	free(env);
	strbuf_release(&body);
	xmlFreeDoc(doc);
	return r;
}

/* Text of returnval/<name> as an owned string, or NULL. */
static char *
ret_field(xmlNodePtr resp, const char *name)
{
	xmlNodePtr n = vs_xml_child(resp, "returnval");

	if (name)
		n = vs_xml_child(n, name);
	return n ? xtext(n) : NULL;
}

/* Views and collectors belong to a session: a new login forgets them. */
static void
forget_session_objects(struct vs_client *vs)
{
	size_t i;

	for (i = 0; i < vs->nviews; i++) {
		free(vs->views[i].type);
		free(vs->views[i].moid);
	}
	vs->nviews = 0;
	free(vs->wpc);
	vs->wpc = NULL;
}

static int
login(struct vs_client *vs, struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	int r;

	/* a live cookie makes Login fail with InvalidLogin: start clean */
	curl_easy_setopt(vs->h, CURLOPT_COOKIELIST, "ALL");
	vs->logged_in = false;
	strbuf_adds(&a, "<userName>");
	strbuf_add_xml(&a, vs->user ? vs->user : "");
	strbuf_adds(&a, "</userName><password>");
	strbuf_add_xml(&a, secret_value(vs->pw) ? secret_value(vs->pw) : "");
	strbuf_adds(&a, "</password>");
	r = vs_call(vs, "Login", "SessionManager", vs->session_mgr, a.buf,
		    vs->user, &doc, &resp, err);
	freezero(a.buf, a.cap);
	if (r != 0 && str_eq(vs->fault, "InvalidLogin"))
		return err_set(
			err, r,
			"vSphere login to '%s' as '%s' failed: wrong user name or password",
			vs->url, vs->user ? vs->user : "");
	if (r != 0)
		return err_prefix(err, "vSphere login to '%s' as '%s'",
				  vs->url, vs->user ? vs->user : "");
	vs->logged_in = true;
	vs->gen++;
	forget_session_objects(vs);
	xmlFreeDoc(doc);
	return 0;
}

static char *
url_normalise(const char *u)
{
	struct strbuf sb = STRBUF_INIT;
	const char *host;

	if (!strstr(u, "://"))
		strbuf_adds(&sb, "https://");
	strbuf_adds(&sb, u);
	host = strstr(sb.buf, "://") + 3;
	if (strchr(host, '/') == NULL)
		strbuf_adds(&sb, "/sdk");
	return strbuf_detach(&sb);
}

int
vs_connect(struct vs_client **out, const struct vs_opts *o,
	   struct mtv_err *err)
{
	struct vs_client *vs = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	int r = MTV_EINVAL;

	*out = NULL;
	if (o->url == NULL || *o->url == '\0')
		return err_set(
			err, MTV_EINVAL,
			"no vSphere URL: set api_url in the profile or GOVC_URL");
	vs = xcalloc(1, sizeof(*vs));
	vs->url = url_normalise(o->url);
	vs->user = o->username ? xstrdup(o->username) : NULL;
	vs->pw = secret_new(secret_value(o->password));
	if (o->thumbprint && *o->thumbprint) {
		vs->pinlen = vs_thumbprint_parse(o->thumbprint, vs->pin);
		if (vs->pinlen < 0) {
			r = err_set(
				err, MTV_EINVAL,
				"bad vSphere thumbprint '%s': want SHA-1 or SHA-256 hex",
				o->thumbprint);
			goto out;
		}
	}
	vs->h = curl_easy_init();
	if (vs->h == NULL) {
		r = err_set(err, MTV_EINTERNAL, "cannot start libcurl");
		goto out;
	}
	vs->hdrs = curl_slist_append(NULL,
				     "Content-Type: text/xml; charset=utf-8");
	vs->hdrs = curl_slist_append(vs->hdrs, "SOAPAction: \"urn:vim25/7.0\"");
	vs->hdrs = curl_slist_append(vs->hdrs, "Expect:");
	curl_easy_setopt(vs->h, CURLOPT_URL, vs->url);
	curl_easy_setopt(vs->h, CURLOPT_HTTPHEADER, vs->hdrs);
	curl_easy_setopt(vs->h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(vs->h, CURLOPT_ERRORBUFFER, vs->errbuf);
	curl_easy_setopt(vs->h, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(vs->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(vs->h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(vs->h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* WaitForUpdatesEx holds a call up to its maxWaitSeconds (<= 60) */
	curl_easy_setopt(vs->h, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(vs->h, CURLOPT_PROTOCOLS_STR, "https,http");
	if (vs->pinlen > 0) {
		/* with a CA file as well, both must hold */
		if (o->ca_file && *o->ca_file) {
			curl_easy_setopt(vs->h, CURLOPT_CAINFO, o->ca_file);
		} else {
			curl_easy_setopt(vs->h, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(vs->h, CURLOPT_SSL_VERIFYHOST, 0L);
		}
		curl_easy_setopt(vs->h, CURLOPT_CERTINFO, 1L);
		curl_easy_setopt(vs->h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
		curl_easy_setopt(vs->h, CURLOPT_PREREQFUNCTION, on_prereq);
		curl_easy_setopt(vs->h, CURLOPT_PREREQDATA, vs);
	} else if (o->insecure) {
		log_warn(
			"vSphere TLS certificate of '%s' is not verified (insecure)",
			vs->url);
		curl_easy_setopt(vs->h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(vs->h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (o->ca_file && *o->ca_file) {
		curl_easy_setopt(vs->h, CURLOPT_CAINFO, o->ca_file);
	}
	if (log_get_level() >= LOG_LVL_TRACE) {
		curl_easy_setopt(vs->h, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(vs->h, CURLOPT_VERBOSE, 1L);
	}
	r = vs_call(vs, "RetrieveServiceContent", "ServiceInstance",
		    "ServiceInstance", NULL, vs->url, &doc, &resp, err);
	if (r != 0)
		goto out;
	vs->pc = ret_field(resp, "propertyCollector");
	vs->view_mgr = ret_field(resp, "viewManager");
	vs->session_mgr = ret_field(resp, "sessionManager");
	vs->root = ret_field(resp, "rootFolder");
	vs->file_mgr = ret_field(resp, "fileManager");
	vs->search = ret_field(resp, "searchIndex");
	if (vs->pc == NULL || vs->session_mgr == NULL || vs->root == NULL) {
		r = err_set(err, MTV_EPROTO,
			    "'%s' is not a vSphere SDK endpoint", vs->url);
		goto out;
	}
	r = login(vs, err);
	if (r != 0)
		goto out;
	log_debug("vSphere session to '%s' as '%s'", vs->url, vs->user);
	*out = vs;
	vs = NULL;
out:
	xmlFreeDoc(doc);
	vs_free(vs);
	return r;
}

void
vs_free(struct vs_client *vs)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	size_t i;

	if (vs == NULL)
		return;
	if (vs->logged_in) {
		for (i = 0; i < vs->nviews; i++) {
			vs_call(vs, "DestroyView", "ContainerView",
				vs->views[i].moid, NULL, NULL, &doc, &resp,
				NULL);
			xmlFreeDoc(doc);
		}
		if (vs->wpc) {
			vs_call(vs, "DestroyPropertyCollector",
				"PropertyCollector", vs->wpc, NULL, NULL,
				&doc, &resp, NULL);
			xmlFreeDoc(doc);
		}
		vs_call(vs, "Logout", "SessionManager", vs->session_mgr, NULL,
			NULL, &doc, &resp, NULL);
		xmlFreeDoc(doc);
	}
	for (i = 0; i < vs->nviews; i++) {
		free(vs->views[i].type);
		free(vs->views[i].moid);
	}
	if (vs->h)
		curl_easy_cleanup(vs->h);
	curl_slist_free_all(vs->hdrs);
	free(vs->url);
	free(vs->user);
	secret_free(vs->pw);
	free(vs->pc);
	free(vs->view_mgr);
	free(vs->session_mgr);
	free(vs->root);
	free(vs->file_mgr);
	free(vs->search);
	free(vs->wpc);
	free(vs);
}

const char *
vs_file_manager(const struct vs_client *vs)
{
	return vs->file_mgr;
}

/* ---- options ---- */

static const char *
pstr(const struct mtv_profile *p, const char *key)
{
	json_object *v;

	if (p == NULL || p->data == NULL ||
	    !json_object_object_get_ex(p->data, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool
truthy(const char *s)
{
	return s && (str_eq(s, "1") || str_eq(s, "true") || str_eq(s, "yes") ||
		     str_eq(s, "True") || str_eq(s, "TRUE"));
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int
vs_opts_from_profile(struct vs_opts *o, const struct mtv_profile *p,
		     struct mtv_err *err)
{
	const char *pw, *s;
	json_object *v;

	(void)err;
	memset(o, 0, sizeof(*o));
	o->url = pstr(p, "api_url");
	if (o->url == NULL)
		o->url = env("GOVC_URL");
	o->username = pstr(p, "username");
	if (o->username == NULL)
		o->username = env("GOVC_USERNAME");
	pw = pstr(p, "password");
	if (pw && str_startswith(pw, "((secret:"))
		pw = profile_secret(p, pw);
	if (pw == NULL)
		pw = env("GOVC_PASSWORD");
	o->password = secret_new(pw);
	o->ca_file = pstr(p, "ca_file");
	if (o->ca_file == NULL)
		o->ca_file = env("GOVC_TLS_CA_CERTS");
	o->thumbprint = pstr(p, "thumbprint");
	if (o->thumbprint == NULL)
		o->thumbprint = env("GOVC_TLS_KNOWN_HOSTS_THUMBPRINT");
	if (p && p->data && json_object_object_get_ex(p->data, "insecure", &v))
		o->insecure = json_object_get_boolean(v) ||
			      truthy(json_object_get_string(v));
	else if ((s = env("GOVC_INSECURE")) != NULL)
		o->insecure = truthy(s);
	return 0;
}

/* ---- properties ---- */

static const char *
view_for(struct vs_client *vs, const char *type, struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	char *moid;
	size_t i;

	for (i = 0; i < vs->nviews; i++)
		if (str_eq(vs->views[i].type, type))
			return vs->views[i].moid;
	if (vs->nviews == ARRAY_SIZE(vs->views))
		BUG("too many container views");
	strbuf_addf(&a, "<container type=\"Folder\">");
	strbuf_add_xml(&a, vs->root);
	strbuf_addf(&a,
		    "</container><type>%s</type><recursive>true</recursive>",
		    type);
	if (vs_call(vs, "CreateContainerView", "ViewManager", vs->view_mgr,
		    a.buf, type, &doc, &resp, err) != 0) {
		strbuf_release(&a);
		return NULL;
	}
	strbuf_release(&a);
	moid = ret_field(resp, NULL);
	xmlFreeDoc(doc);
	vs->views[vs->nviews].type = xstrdup(type);
	vs->views[vs->nviews].moid = moid;
	return vs->views[vs->nviews++].moid;
}

/* Call fn on every object (obj node) of every page of a RetrievePropertiesEx
 * result, following the token. */
static int
retrieve(struct vs_client *vs, const char *spec, const char *what,
	 int (*fn)(xmlNodePtr obj, void *arg), void *arg, struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp, rv, o;
	char *token = NULL;
	int r, pages = 0;

	strbuf_addf(
		&a,
		"<specSet>%s</specSet><options><maxObjects>500</maxObjects></options>",
		spec);
	r = vs_call(vs, "RetrievePropertiesEx", "PropertyCollector", vs->pc,
		    a.buf, what, &doc, &resp, err);
	while (r == 0) {
		rv = vs_xml_child(resp, "returnval");
		for (o = vs_xml_child(rv, "objects"); o;
		     o = xnext(o, "objects"))
			if ((r = fn(o, arg)) != 0)
				goto out;
		free(token);
		token = rv ? ret_field(resp, "token") : NULL;
		xmlFreeDoc(doc);
		doc = NULL;
		if (token == NULL || ++pages > 10000)
			break;
		strbuf_reset(&a);
		strbuf_adds(&a, "<token>");
		strbuf_add_xml(&a, token);
		strbuf_adds(&a, "</token>");
		r = vs_call(vs, "ContinueRetrievePropertiesEx",
			    "PropertyCollector", vs->pc, a.buf, what, &doc,
			    &resp, err);
	}
out:
	free(token);
	xmlFreeDoc(doc);
	strbuf_release(&a);
	return r;
}

struct find_arg {
	const char *name;
	char *moid;
	json_object *all;
	const char *path;	/* NULL: "name" */
};

static int
find_cb(xmlNodePtr obj, void *arg)
{
	struct find_arg *f = arg;
	xmlNodePtr ps;

	for (ps = vs_xml_child(obj, "propSet"); ps; ps = xnext(ps, "propSet")) {
		char *v = xtext(vs_xml_child(ps, "val"));

		if (f->all) {
			char *m = xtext(vs_xml_child(obj, "obj"));

			json_object_object_add(
				f->all, m,
				f->path ? vs_xml_to_json(vs_xml_child(ps, "val"))
					: json_object_new_string(v));
			free(m);
		} else if (f->moid == NULL && str_eq(v, f->name)) {
			f->moid = xtext(vs_xml_child(obj, "obj"));
		}
		free(v);
	}
	return 0;
}

static int list_names1(struct vs_client *vs, const char *type,
		       struct find_arg *f, struct mtv_err *err);

/* A view made in a session that expired meanwhile is retried once. */
static int
list_names(struct vs_client *vs, const char *type, struct find_arg *f,
	   struct mtv_err *err)
{
	int gen = vs->gen, r = list_names1(vs, type, f, err);

	if (r != 0 && vs->gen != gen)
		r = list_names1(vs, type, f, err);
	return r;
}

static int
list_names1(struct vs_client *vs, const char *type, struct find_arg *f,
	    struct mtv_err *err)
{
	struct strbuf spec = STRBUF_INIT;
	const char *view = view_for(vs, type, err);
	int r;

	if (view == NULL)
		return err ? err->code : MTV_EIO;
	strbuf_addf(&spec,
		    "<propSet><type>%s</type><pathSet>%s</pathSet></propSet>"
		    "<objectSet><obj type=\"ContainerView\">",
		    type, f->path ? f->path : "name");
	strbuf_add_xml(&spec, view);
	strbuf_adds(
		&spec,
		"</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\">"
		"<name>traverseView</name><type>ContainerView</type>"
		"<path>view</path><skip>false</skip></selectSet></objectSet>");
	r = retrieve(vs, spec.buf, type, find_cb, f, err);
	strbuf_release(&spec);
	return r;
}

int
vs_find(struct vs_client *vs, const char *type, const char *name, char **out,
	struct mtv_err *err)
{
	struct find_arg f = { name, NULL, NULL, NULL };
	int r;

	*out = NULL;
	r = list_names(vs, type, &f, err);
	if (r != 0)
		return r;
	if (f.moid == NULL)
		return err_set(err, MTV_ENOTFOUND, "%s '%s' not found", type,
			       name);
	*out = f.moid;
	return 0;
}

int
vs_list(struct vs_client *vs, const char *type, const char *path,
	json_object **out, struct mtv_err *err)
{
	struct find_arg f = { NULL, NULL, json_object_new_object(), path };
	int r = list_names(vs, type, &f, err);

	if (r != 0) {
		json_object_put(f.all);
		return r;
	}
	*out = f.all;
	return 0;
}

int
vs_names(struct vs_client *vs, const char *type, json_object **out,
	 struct mtv_err *err)
{
	return vs_list(vs, type, NULL, out, err);
}

static int
props_cb(xmlNodePtr obj, void *arg)
{
	json_object *o = arg;
	xmlNodePtr ps;

	for (ps = vs_xml_child(obj, "propSet"); ps; ps = xnext(ps, "propSet")) {
		char *k = xtext(vs_xml_child(ps, "name"));
		xmlNodePtr v = vs_xml_child(ps, "val");

		if (v)
			json_object_object_add(o, k, vs_xml_to_json(v));
		free(k);
	}
	return 0;
}

int
vs_props(struct vs_client *vs, const char *type, const char *moid,
	 const char *const *paths, json_object **out, struct mtv_err *err)
{
	struct strbuf spec = STRBUF_INIT;
	json_object *o = json_object_new_object();
	size_t i;
	int r;

	*out = NULL;
	strbuf_addf(&spec, "<propSet><type>%s</type>", type);
	for (i = 0; paths[i]; i++)
		strbuf_addf(&spec, "<pathSet>%s</pathSet>", paths[i]);
	strbuf_addf(&spec, "</propSet><objectSet><obj type=\"%s\">", type);
	strbuf_add_xml(&spec, moid);
	strbuf_adds(&spec, "</obj></objectSet>");
	r = retrieve(vs, spec.buf, moid, props_cb, o, err);
	strbuf_release(&spec);
	if (r != 0) {
		json_object_put(o);
		return r;
	}
	*out = o;
	return 0;
}

/* ---- waiting through WaitForUpdatesEx ---- */

/* Apply one changeSet to the property object. */
static void
apply_change(json_object *state, xmlNodePtr cs)
{
	char *name = xtext(vs_xml_child(cs, "name"));
	char *op = xtext(vs_xml_child(cs, "op"));
	xmlNodePtr v = vs_xml_child(cs, "val");

	if (v && !str_eq(op, "remove") && !str_eq(op, "indirectRemove"))
		json_object_object_add(state, name, vs_xml_to_json(v));
	else
		json_object_object_del(state, name);
	free(name);
	free(op);
}

/* Watch paths of (type, moid) until done(state) says 1 (or an error);
 * timeout seconds overall. */
static int
watch1(struct vs_client *vs, const char *type, const char *moid,
       const char *const *paths, const char *what,
       int (*done)(json_object *state, void *arg, struct mtv_err *err),
       void *arg, long long deadline, int timeout, struct mtv_err *err);

/* The collector and its filter die with the session: after a new login
 * the watch starts again (twice at most). */
static int
watch(struct vs_client *vs, const char *type, const char *moid,
      const char *const *paths, const char *what,
      int (*done)(json_object *state, void *arg, struct mtv_err *err),
      void *arg, int timeout, struct mtv_err *err)
{
	long long deadline = clock_ms() + (long long)timeout * 1000;
	int i, gen, r = MTV_EIO;

	for (i = 0; i < 3; i++) {
		gen = vs->gen;
		r = watch1(vs, type, moid, paths, what, done, arg, deadline,
			   timeout, err);
		if (r == 0 || vs->gen == gen)
			break;
		log_verbose("vSphere session renewed, watching '%s' again",
			    what);
	}
	return r;
}

static int
watch1(struct vs_client *vs, const char *type, const char *moid,
       const char *const *paths, const char *what,
       int (*done)(json_object *state, void *arg, struct mtv_err *err),
       void *arg, long long deadline, int timeout, struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	json_object *state = json_object_new_object();
	int gen0 = vs->gen;
	char *filter = NULL, *version = xstrdup("");
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	size_t i;
	int r;

	if (vs->wpc == NULL) {
		r = vs_call(vs, "CreatePropertyCollector", "PropertyCollector",
			    vs->pc, NULL, what, &doc, &resp, err);
		if (r != 0)
			goto out;
		vs->wpc = ret_field(resp, NULL);
		xmlFreeDoc(doc);
		doc = NULL;
	}
	strbuf_addf(&a, "<spec><propSet><type>%s</type>", type);
	for (i = 0; paths[i]; i++)
		strbuf_addf(&a, "<pathSet>%s</pathSet>", paths[i]);
	strbuf_addf(&a, "</propSet><objectSet><obj type=\"%s\">", type);
	strbuf_add_xml(&a, moid);
	strbuf_adds(
		&a,
		"</obj></objectSet></spec><partialUpdates>false</partialUpdates>");
	r = vs_call(vs, "CreateFilter", "PropertyCollector", vs->wpc, a.buf,
		    what, &doc, &resp, err);
	if (r != 0)
		goto out;
	filter = ret_field(resp, NULL);
	xmlFreeDoc(doc);
	doc = NULL;
	for (;;) {
		long long left = deadline - clock_ms();
		xmlNodePtr rv, fs, os, cs;

		if (left <= 0) {
			r = err_set(err, MTV_ETIMEOUT,
				    "waiting for '%s' timed out after %d s",
				    what, timeout);
			goto out;
		}
		strbuf_reset(&a);
		strbuf_adds(&a, "<version>");
		strbuf_add_xml(&a, version);
		strbuf_addf(
			&a,
			"</version><options><maxWaitSeconds>%lld</maxWaitSeconds></options>",
			left / 1000 + 1 > 60 ? 60 : left / 1000 + 1);
		r = vs_call(vs, "WaitForUpdatesEx", "PropertyCollector",
			    vs->wpc, a.buf, what, &doc, &resp, err);
		if (r != 0)
			goto out;
		rv = vs_xml_child(resp, "returnval");
		if (rv) {
			free(version);
			version = xtext(vs_xml_child(rv, "version"));
		}
		for (fs = vs_xml_child(rv, "filterSet"); fs;
		     fs = xnext(fs, "filterSet"))
			for (os = vs_xml_child(fs, "objectSet"); os;
			     os = xnext(os, "objectSet"))
				for (cs = vs_xml_child(os, "changeSet"); cs;
				     cs = xnext(cs, "changeSet"))
					apply_change(state, cs);
		xmlFreeDoc(doc);
		doc = NULL;
		if (rv == NULL)
			continue;
		r = done(state, arg, err);
		if (r < 0)
			goto out;
		if (r == 1) {
			r = 0;
			break;
		}
	}
out:
	if (filter && vs->gen == gen0) {
		xmlFreeDoc(doc);
		doc = NULL;
		vs_call(vs, "DestroyPropertyFilter", "PropertyFilter", filter,
			NULL, what, &doc, &resp, NULL);
	}
	xmlFreeDoc(doc);
	free(filter);
	free(version);
	strbuf_release(&a);
	json_object_put(state);
	return r;
}

struct task_arg {
	const char *method, *what;
	char **result;
	char fault[128];
};

static const char *
jpath(json_object *o, const char *k)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, k, &v))
		return NULL;
	return json_object_get_string(v);
}

static int
task_done(json_object *st, void *arg, struct mtv_err *err)
{
	struct task_arg *t = arg;
	const char *state = jpath(st, "info.state"), *msg;
	json_object *e = NULL, *f = NULL;

	if (str_eq(state, "success")) {
		if (t->result && jpath(st, "info.result"))
			*t->result = xstrdup(jpath(st, "info.result"));
		return 1;
	}
	if (!str_eq(state, "error"))
		return 0;
	json_object_object_get_ex(st, "info.error", &e);
	if (e)
		json_object_object_get_ex(e, "fault", &f);
	/* vcsim puts a Go type name in localizedMessage: prefer the fault's
	 * own text then */
	/* callers tell task faults apart like SOAP faults */
	snprintf(t->fault, sizeof(t->fault), "%s",
		 jpath(f, "_type") ? jpath(f, "_type") : "error");
	msg = jpath(e, "localizedMessage");
	if (msg == NULL || str_startswith(msg, "*types."))
		msg = jpath(f, "reason") ? jpath(f, "reason") : msg;
	return err_set(err, fault_code(jpath(f, "_type")),
		       "%s of '%s' failed: %s%s%s", t->method, t->what,
		       jpath(f, "_type") ? jpath(f, "_type") : "error",
		       msg ? ": " : "", msg ? msg : "");
}

int
vs_invoke(struct vs_client *vs, const char *method, const char *type,
	  const char *moid, const char *args, const char *what, int timeout,
	  char **result, struct mtv_err *err)
{
	static const char *const paths[] = { "info.state", "info.error",
					     "info.result", NULL };
	struct task_arg t = { method, what ? what : moid, result, "" };
	xmlDocPtr doc = NULL;
	xmlNodePtr resp, rv;
	char *task = NULL;
	xmlChar *rt = NULL;
	int r;

	if (result)
		*result = NULL;
	r = vs_call(vs, method, type, moid, args, what, &doc, &resp, err);
	if (r != 0)
		goto out;
	rv = vs_xml_child(resp, "returnval");
	if (rv)
		rt = xmlGetNoNsProp(rv, BAD_CAST "type");
	if (rt && strcmp((const char *)rt, "Task") == 0) {
		task = xtext(rv);
		r = watch(vs, "Task", task, paths, t.what, task_done, &t,
			  timeout > 0 ? timeout : 3600, err);
		/* the filter's removal came after the task's error */
		if (r != 0 && t.fault[0])
			snprintf(vs->fault, sizeof(vs->fault), "%s", t.fault);
	} else if (result && rv) {
		*result = xtext(rv);
	}
out:
	xmlFree(rt);
	free(task);
	xmlFreeDoc(doc);
	return r;
}

int
vs_prop_ref(struct vs_client *vs, const char *type, const char *moid,
	    const char *path, char **rtype, char **rmoid, struct mtv_err *err)
{
	struct strbuf spec = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp, ps, v;
	xmlChar *pt;
	int r;

	*rtype = *rmoid = NULL;
	strbuf_addf(&spec,
		    "<specSet><propSet><type>%s</type><pathSet>%s</pathSet>"
		    "</propSet><objectSet><obj type=\"%s\">",
		    type, path, type);
	strbuf_add_xml(&spec, moid);
	strbuf_adds(&spec, "</obj></objectSet></specSet><options/>");
	r = vs_call(vs, "RetrievePropertiesEx", "PropertyCollector", vs->pc,
		    spec.buf, moid, &doc, &resp, err);
	strbuf_release(&spec);
	if (r != 0)
		return r;
	ps = vs_xml_child(vs_xml_child(vs_xml_child(resp, "returnval"),
				       "objects"), "propSet");
	v = vs_xml_child(ps, "val");
	if (v == NULL) {
		xmlFreeDoc(doc);
		return err_set(err, MTV_ENOTFOUND, "'%s' has no %s", moid,
			       path);
	}
	pt = xmlGetNoNsProp(v, BAD_CAST "type");
	*rtype = xstrdup(pt ? (const char *)pt : "");
	*rmoid = xtext(v);
	xmlFree(pt);
	xmlFreeDoc(doc);
	return 0;
}

int
vs_datacenter_of(struct vs_client *vs, const char *type, const char *moid,
		 char **out, struct mtv_err *err)
{
	char *cur = xstrdup(moid), *ctype = xstrdup(type);
	int i, r = MTV_ENOTFOUND;

	*out = NULL;
	for (i = 0; i < 16; i++) {
		struct strbuf spec = STRBUF_INIT;
		xmlDocPtr doc = NULL;
		xmlNodePtr resp, ps, v;
		xmlChar *pt;

		strbuf_addf(
			&spec,
			"<specSet><propSet><type>%s</type><pathSet>parent</pathSet>"
			"</propSet><objectSet><obj type=\"%s\">",
			ctype, ctype);
		strbuf_add_xml(&spec, cur);
		strbuf_adds(&spec, "</obj></objectSet></specSet><options/>");
		r = vs_call(vs, "RetrievePropertiesEx", "PropertyCollector",
			    vs->pc, spec.buf, moid, &doc, &resp, err);
		strbuf_release(&spec);
		if (r != 0)
			break;
		ps = vs_xml_child(vs_xml_child(vs_xml_child(resp, "returnval"),
					       "objects"), "propSet");
		v = vs_xml_child(ps, "val");
		if (v == NULL) {
			xmlFreeDoc(doc);
			r = err_set(err, MTV_ENOTFOUND,
				    "no datacenter holds '%s'", moid);
			break;
		}
		pt = xmlGetNoNsProp(v, BAD_CAST "type");
		free(cur);
		free(ctype);
		cur = xtext(v);
		ctype = xstrdup(pt ? (const char *)pt : "");
		xmlFree(pt);
		xmlFreeDoc(doc);
		if (str_eq(ctype, "Datacenter")) {
			*out = cur;
			cur = NULL;
			r = 0;
			break;
		}
	}
	free(cur);
	free(ctype);
	return r;
}

struct guest_arg {
	char **ip;
};

static int
guest_done(json_object *st, void *arg, struct mtv_err *err)
{
	struct guest_arg *g = arg;
	const char *ip = jpath(st, "guest.ipAddress");

	(void)err;
	if (!str_eq(jpath(st, "guest.toolsRunningStatus"),
		    "guestToolsRunning") ||
	    ip == NULL || *ip == '\0')
		return 0;
	if (g->ip)
		*g->ip = xstrdup(ip);
	return 1;
}

int
vs_wait_guest(struct vs_client *vs, const char *moid, const char *what,
	      int timeout, char **ip, struct mtv_err *err)
{
	static const char *const paths[] = { "guest.toolsRunningStatus",
					     "guest.ipAddress", NULL };
	struct guest_arg g = { ip };
	int r;

	if (ip)
		*ip = NULL;
	r = watch(vs, "VirtualMachine", moid, paths, what, guest_done, &g,
		  timeout, err);
	if (r == MTV_ETIMEOUT)
		err_set(err, MTV_ETIMEOUT,
			"guest of '%s' not ready (tools running and an IP) within %d s",
			what, timeout);
	return r;
}

/* ---- VM facts ---- */

static bool
jtrue(json_object *o, const char *k)
{
	return str_eq(jpath(o, k), "true");
}

static int
count_snapshots(json_object *list)
{
	size_t i, n;
	int c = 0;

	if (list == NULL)
		return 0;
	if (!json_object_is_type(list, json_type_array)) {
		json_object *ch = NULL;

		json_object_object_get_ex(list, "childSnapshotList", &ch);
		return 1 + count_snapshots(ch);
	}
	n = json_object_array_length(list);
	for (i = 0; i < n; i++)
		c += count_snapshots(json_object_array_get_idx(list, i));
	return c;
}

json_object *
vs_jlist(json_object *o, size_t i)
{
	if (o == NULL)
		return NULL;
	if (json_object_is_type(o, json_type_array))
		return i < json_object_array_length(o) ?
		       json_object_array_get_idx(o, i) : NULL;
	return i == 0 ? o : NULL;
}

int
vs_vm_info_moid(struct vs_client *vs, const char *moid, json_object **out,
		struct mtv_err *err)
{
	static const char *const paths[] = {
		"name", "config.template", "config.changeTrackingEnabled",
		"runtime.host", "runtime.powerState", "datastore", "snapshot",
		"guest.toolsRunningStatus", "guest.ipAddress",
		"config.hardware.device", "config.extraConfig", NULL,
	};
	json_object *p = NULL, *o, *disks, *devs = NULL, *v, *ds, *ec = NULL;
	size_t i, j;
	int r;

	*out = NULL;
	r = vs_props(vs, "VirtualMachine", moid, paths, &p, err);
	if (r != 0)
		return r;
	o = json_object_new_object();
	json_object_object_add(o, "moid", json_object_new_string(moid));
	json_object_object_add(o, "name", json_object_new_string(
		jpath(p, "name") ? jpath(p, "name") : ""));
	json_object_object_add(o, "power", json_object_new_string(
		jpath(p, "runtime.powerState") ?
		jpath(p, "runtime.powerState") : "poweredOff"));
	json_object_object_add(
		o, "template",
		json_object_new_boolean(jtrue(p, "config.template")));
	json_object_object_add(o, "cbt", json_object_new_boolean(
		jtrue(p, "config.changeTrackingEnabled")));
	json_object_object_add(
		o, "host",
		jpath(p, "runtime.host")
			? json_object_new_string(jpath(p, "runtime.host"))
			: NULL);
	ds = json_object_new_array();
	json_object_object_get_ex(p, "datastore", &v);
	for (i = 0; (v && vs_jlist(v, i)); i++)
		json_object_array_add(ds, json_object_get(vs_jlist(v, i)));
	json_object_object_add(o, "datastores", ds);
	v = NULL;
	if (json_object_object_get_ex(p, "snapshot", &v))
		json_object_object_get_ex(v, "rootSnapshotList", &v);
	json_object_object_add(o, "snapshots",
			       json_object_new_int(v ? count_snapshots(v) : 0));
	json_object_object_add(o, "tools", json_object_new_string(
		jpath(p, "guest.toolsRunningStatus") ?
		jpath(p, "guest.toolsRunningStatus") : ""));
	json_object_object_add(
		o, "ip",
		json_object_new_string(jpath(p, "guest.ipAddress")
					       ? jpath(p, "guest.ipAddress")
					       : ""));
	disks = json_object_new_array();
	json_object_object_get_ex(p, "config.hardware.device", &devs);
	json_object_object_get_ex(p, "config.extraConfig", &ec);
	for (i = 0; vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i), *b = NULL, *di = NULL, *x;
		const char *ck = jpath(d, "controllerKey"), *bt, *ctk;
		long long cap;
		int bus = -1;
		char key[64];

		if (!str_eq(jpath(d, "_type"), "VirtualDisk"))
			continue;
		json_object_object_get_ex(d, "backing", &b);
		json_object_object_get_ex(d, "deviceInfo", &di);
		bt = jpath(b, "_type");
		for (j = 0; vs_jlist(devs, j); j++) {
			json_object *c = vs_jlist(devs, j);

			if (str_eq(jpath(c, "key"), ck) &&
			    jpath(c, "busNumber"))
				bus = atoi(jpath(c, "busNumber"));
		}
		x = json_object_new_object();
		json_object_object_add(x, "key", json_object_new_int(
			atoi(jpath(d, "key") ? jpath(d, "key") : "0")));
		json_object_object_add(x, "label", json_object_new_string(
			jpath(di, "label") ? jpath(di, "label") : ""));
		json_object_object_add(x, "file", json_object_new_string(
			jpath(b, "fileName") ? jpath(b, "fileName") : ""));
		json_object_object_add(x, "datastore", json_object_new_string(
			jpath(b, "datastore") ? jpath(b, "datastore") : ""));
		cap = jpath(d, "capacityInBytes")
			      ? atoll(jpath(d, "capacityInBytes")) / 1024
			      : atoll(jpath(d, "capacityInKB")
					      ? jpath(d, "capacityInKB")
					      : "0");
		json_object_object_add(x, "capacity_kb",
				       json_object_new_int64(cap));
		json_object_object_add(x, "thin", json_object_new_boolean(
			jtrue(b, "thinProvisioned")));
		json_object_object_add(x, "eager", json_object_new_boolean(
			jtrue(b, "eagerlyScrub")));
		json_object_object_add(x, "mode", json_object_new_string(
			jpath(b, "diskMode") ? jpath(b, "diskMode") : ""));
		json_object_object_add(
			x, "rdm",
			str_eq(bt, "VirtualDiskRawDiskMappingVer1BackingInfo")
				? json_object_new_string(
					  str_eq(jpath(b, "compatibilityMode"),
						 "physicalMode")
						  ? "physical"
						  : "virtual")
				: NULL);
		json_object_object_add(x, "controller_bus",
				       json_object_new_int(bus));
		json_object_object_add(
			x, "unit",
			json_object_new_int(atoi(
				jpath(d, "unitNumber") ? jpath(d, "unitNumber")
						       : "-1")));
		snprintf(key, sizeof(key), "scsi%d:%s.ctkEnabled", bus,
			 jpath(d, "unitNumber") ? jpath(d, "unitNumber") : "");
		ctk = NULL;
		for (j = 0; vs_jlist(ec, j); j++)
			if (str_eq(jpath(vs_jlist(ec, j), "key"), key))
				ctk = jpath(vs_jlist(ec, j), "value");
		json_object_object_add(x, "cbt", json_object_new_boolean(
			ctk ? strcasecmp(ctk, "true") == 0 :
			jtrue(p, "config.changeTrackingEnabled")));
		json_object_array_add(disks, x);
	}
	json_object_object_add(o, "disks", disks);
	json_object_put(p);
	*out = o;
	return 0;
}

int
vs_vm_info(struct vs_client *vs, const char *name, json_object **out,
	   struct mtv_err *err)
{
	char *moid = NULL;
	int r;

	*out = NULL;
	r = vs_find(vs, "VirtualMachine", name, &moid, err);
	if (r == 0)
		r = vs_vm_info_moid(vs, moid, out, err);
	free(moid);
	return r;
}
