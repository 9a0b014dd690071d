/* vs_xml.c: the pure side of the vim25 client: SOAP envelopes, device
 * specs, XML values as JSON, SOAP faults, thumbprints and SCSI units. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "vsphere/vs_int.h"

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

/* The first element named name (any when NULL) from n on. */
static xmlNodePtr
element_from(xmlNodePtr n, const char *name)
{
	for (; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    (name == NULL || strcmp((const char *)n->name, name) == 0))
			return n;
	return NULL;
}

xmlNodePtr
vs_xml_child(xmlNodePtr n, const char *name)
{
	return element_from(n ? n->children : NULL, name);
}

xmlNodePtr
vs_xml_next(xmlNodePtr n, const char *name)
{
	return element_from(n->next, name);
}

char *
vs_xml_text(xmlNodePtr n)
{
	xmlChar *c = n ? xmlNodeGetContent(n) : NULL;
	char *s = xstrdup(c ? (const char *)c : "");

	xmlFree(c);
	return s;
}

char *
vs_xml_type(xmlNodePtr n)
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
	char *t = vs_xml_type(n);
	json_object *o;
	xmlNodePtr c;

	if (vs_xml_child(n, NULL) == NULL) {
		char *s = vs_xml_text(n);

		o = json_object_new_string(s);
		free(s);
		free(t);
		return o;
	}
	if (t && str_startswith(t, "ArrayOf")) {
		o = json_object_new_array();
		for (c = vs_xml_child(n, NULL); c; c = vs_xml_next(c, NULL))
			json_object_array_add(o, vs_xml_to_json(c));
		free(t);
		return o;
	}
	o = json_object_new_object();
	if (t)
		json_object_object_add(o, "_type", json_object_new_string(t));
	for (c = vs_xml_child(n, NULL); c; c = vs_xml_next(c, NULL)) {
		const char *k = (const char *)c->name;
		json_object *prev = NULL, *v = vs_xml_to_json(c);
		int count = 0;
		xmlNodePtr d;

		for (d = vs_xml_child(n, k); d; d = vs_xml_next(d, k))
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
	*text = vs_xml_text(vs_xml_child(f, "faultstring"));
	d = vs_xml_child(vs_xml_child(f, "detail"), NULL);
	if (d) {
		*type = vs_xml_type(d);
		if (*type == NULL) {
			const char *nm = (const char *)d->name;
			size_t l = strlen(nm);

			if (l > 5 && strcmp(nm + l - 5, "Fault") == 0)
				l -= 5;
			*type = xstrndup(nm, l);
		}
	} else {
		*type = vs_xml_text(vs_xml_child(f, "faultcode"));
	}
	r = 0;
out:
	xmlFreeDoc(doc);
	return r;
}

