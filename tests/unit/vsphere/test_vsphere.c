/* test_vsphere.c: SOAP envelopes and specs, fault parsing, values as JSON,
 * thumbprint pins and their hashes, SCSI unit allocation (no network). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "unit.h"
#include "vsphere/vsphere.h"
#include "vsphere/vs_int.h"

/* Position of needle in hay, or -1. */
static long
at(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p ? p - hay : -1;
}

static void
test_envelope(void)
{
	char *e = vs_envelope("CloneVM_Task", "VirtualMachine", "vm-<1>",
			      "<name>x</name>");

	CU_ASSERT(
		at(e,
		   "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"") >
		0);
	CU_ASSERT(
		at(e,
		   "<CloneVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">vm-&lt;1&gt;</_this><name>x</name></CloneVM_Task>") >
		0);
	free(e);
}

static void
test_disk_spec(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct vs_disk_spec d = {
		.size_kb = 1048576, .provision = "thick-eager",
		.mode = "independent_persistent", .file = "[ds] f/x.vmdk",
		.datastore = "datastore-1", .controller_key = -101, .unit = 8,
		.key = -1000,
	};
	const char *s;

	vs_xml_disk_add(&sb, &d);
	s = strbuf_str(&sb);
	CU_ASSERT(at(s, "<device xsi:type=\"VirtualDisk\">") > 0);
	CU_ASSERT(
		at(s, "<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\">") >
		0);
	/* WSDL order: operation, fileOperation, device; key, backing,
	 * controllerKey, unitNumber, capacityInKB; fileName, datastore,
	 * diskMode, thinProvisioned, eagerlyScrub */
	CU_ASSERT(at(s, "<operation>add") < at(s, "<fileOperation>create"));
	CU_ASSERT(at(s, "<fileOperation>") < at(s, "<device "));
	CU_ASSERT(at(s, "<key>-1000") < at(s, "<backing "));
	CU_ASSERT(at(s, "<fileName>") < at(s, "<datastore "));
	CU_ASSERT(at(s, "<datastore ") <
		  at(s, "<diskMode>independent_persistent"));
	CU_ASSERT(at(s, "<diskMode>") < at(s, "<thinProvisioned>false"));
	CU_ASSERT(at(s, "<thinProvisioned>") < at(s, "<eagerlyScrub>true"));
	CU_ASSERT(at(s, "</backing>") < at(s, "<controllerKey>-101"));
	CU_ASSERT(at(s, "<controllerKey>") < at(s, "<unitNumber>8"));
	CU_ASSERT(at(s, "<unitNumber>") < at(s, "<capacityInKB>1048576"));
	strbuf_reset(&sb);
	d.provision = "thin";
	d.operation = "edit";
	d.label = "Hard disk 2";
	vs_xml_disk_add(&sb, &d);
	s = strbuf_str(&sb);
	CU_ASSERT(at(s, "fileOperation") < 0);
	CU_ASSERT(at(s, "<operation>edit") > 0);
	CU_ASSERT(at(s, "<deviceInfo><label>Hard disk 2") < at(s, "<backing "));
	CU_ASSERT(
		at(s,
		   "<thinProvisioned>true</thinProvisioned><eagerlyScrub>false") >
		0);
	strbuf_reset(&sb);
	d.operation = "destroy";
	vs_xml_disk_add(&sb, &d);
	CU_ASSERT(at(strbuf_str(&sb),
		     "<operation>remove</operation><fileOperation>destroy") >
		  0);
	strbuf_release(&sb);
}

static void
test_rdm_and_controller(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct vs_disk_spec d = {
		.file = "[ds]", .controller_key = 1000, .unit = 1, .key = -900,
		.rdm_uuid = "0200", .rdm_device = "/vmfs/devices/disks/naa.6",
		.rdm_compat = "physical",
	};
	const char *s;

	vs_xml_disk_add(&sb, &d);
	s = strbuf_str(&sb);
	CU_ASSERT(
		at(s,
		   "<backing xsi:type=\"VirtualDiskRawDiskMappingVer1BackingInfo\">") >
		0);
	CU_ASSERT(at(s, "<lunUuid>0200") < at(s, "<deviceName>/vmfs"));
	CU_ASSERT(at(s, "<deviceName>") <
		  at(s, "<compatibilityMode>physicalMode"));
	CU_ASSERT(at(s, "<compatibilityMode>") <
		  at(s, "<diskMode>independent_persistent"));
	strbuf_reset(&sb);
	vs_xml_controller_add(&sb, -101, 1);
	s = strbuf_str(&sb);
	CU_ASSERT(
		at(s,
		   "<device xsi:type=\"ParaVirtualSCSIController\"><key>-101</key><busNumber>1</busNumber><sharedBus>noSharing</sharedBus>") >
		0);
	strbuf_release(&sb);
}

static void
test_faults(void)
{
	const char *vc =
		"<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Login failure</faultstring><detail><InvalidLoginFault xmlns=\"urn:vim25\" xsi:type=\"InvalidLogin\"></InvalidLoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
	const char *noxsi =
		"<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\"><Body><Fault><faultcode>x</faultcode><faultstring></faultstring><detail><NotAuthenticatedFault xmlns=\"urn:vim25\"/></detail></Fault></Body></Envelope>";
	const char *ok = "<Envelope><Body><LoginResponse/></Body></Envelope>";
	char *t = NULL, *m = NULL;

	CU_ASSERT_EQUAL(vs_fault_parse(vc, strlen(vc), &t, &m), 0);
	CU_ASSERT_STRING_EQUAL(t, "InvalidLogin");
	CU_ASSERT_STRING_EQUAL(m, "Login failure");
	free(t);
	free(m);
	CU_ASSERT_EQUAL(vs_fault_parse(noxsi, strlen(noxsi), &t, &m), 0);
	CU_ASSERT_STRING_EQUAL(t, "NotAuthenticated");
	free(t);
	free(m);
	CU_ASSERT_EQUAL(vs_fault_parse(ok, strlen(ok), &t, &m), -1);
	CU_ASSERT_EQUAL(vs_fault_parse("not xml", 7, &t, &m), -1);
}

static void
test_values(void)
{
	/* vcsim writes the xsi prefix as XMLSchema-instance:, MoRefs carry a
	 * second, namespace-less type */
	const char *x =
		"<val xmlns:XMLSchema-instance=\"http://www.w3.org/2001/XMLSchema-instance\" XMLSchema-instance:type=\"ArrayOfVirtualDevice\">"
		"<VirtualDevice XMLSchema-instance:type=\"VirtualDisk\"><key>203</key><backing XMLSchema-instance:type=\"VirtualDiskFlatVer2BackingInfo\"><fileName>[ds] a.vmdk</fileName><datastore type=\"Datastore\">datastore-1</datastore></backing><unitNumber>0</unitNumber></VirtualDevice>"
		"<VirtualDevice XMLSchema-instance:type=\"ParaVirtualSCSIController\"><key>202</key><device>1</device><device>2</device><busNumber>0</busNumber></VirtualDevice></val>";
	xmlDocPtr doc = xmlReadMemory(x, (int)strlen(x), "v.xml", NULL, 0);
	json_object *o = vs_xml_to_json(xmlDocGetRootElement(doc)), *d, *b, *v;

	CU_ASSERT(json_object_is_type(o, json_type_array));
	CU_ASSERT_EQUAL(json_object_array_length(o), 2);
	d = json_object_array_get_idx(o, 0);
	CU_ASSERT(json_object_object_get_ex(d, "_type", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "VirtualDisk");
	json_object_object_get_ex(d, "backing", &b);
	json_object_object_get_ex(b, "datastore", &v);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "datastore-1");
	json_object_object_get_ex(b, "_type", &v);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v),
			       "VirtualDiskFlatVer2BackingInfo");
	d = json_object_array_get_idx(o, 1);
	json_object_object_get_ex(d, "device", &v);
	CU_ASSERT(json_object_is_type(v, json_type_array));
	CU_ASSERT_EQUAL(json_object_array_length(v), 2);
	CU_ASSERT_PTR_EQUAL(vs_jlist(b, 0), b);
	CU_ASSERT_PTR_NULL(vs_jlist(b, 1));
	json_object_put(o);
	xmlFreeDoc(doc);
}

static void
test_thumbprint(void)
{
	unsigned char p[32], h[32];

	CU_ASSERT_EQUAL(
		vs_thumbprint_parse(
			"2C:11:ED:D7:13:87:7D:B5:74:18:B8:1C:42:C2:56:1F:0D:B9:5B:B9",
			p),
		20);
	CU_ASSERT_EQUAL(p[0], 0x2c);
	CU_ASSERT_EQUAL(p[19], 0xb9);
	CU_ASSERT_EQUAL(vs_thumbprint_parse(
				"2c11edd713877db57418b81c42c2561f0db95bb9", p),
			20);
	CU_ASSERT_EQUAL(
		vs_thumbprint_parse(
			"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
			p),
		32);
	CU_ASSERT_EQUAL(vs_thumbprint_parse("2C:11", p), -1);
	CU_ASSERT_EQUAL(vs_thumbprint_parse("2C:1", p), -1);
	CU_ASSERT_EQUAL(
		vs_thumbprint_parse(
			"ZZ:11:ED:D7:13:87:7D:B5:74:18:B8:1C:42:C2:56:1F:0D:B9:5B:B9",
			p),
		-1);
	CU_ASSERT_EQUAL(vs_thumbprint_parse(NULL, p), -1);
	/* FIPS 180 vectors */
	CU_ASSERT_EQUAL(vs_pin_digest(h, "abc", 3, 20), 0);
	CU_ASSERT_EQUAL(vs_thumbprint_parse(
				"a9993e364706816aba3e25717850c26c9cd0d89d", p),
			20);
	CU_ASSERT(memcmp(h, p, 20) == 0);
	CU_ASSERT_EQUAL(vs_pin_digest(h, "abc", 3, 32), 0);
	vs_thumbprint_parse(
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		p);
	CU_ASSERT(memcmp(h, p, 32) == 0);
	CU_ASSERT_EQUAL(vs_pin_digest(h, "", 0, 32), 0);
	vs_thumbprint_parse(
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		p);
	CU_ASSERT(memcmp(h, p, 32) == 0);
	CU_ASSERT_EQUAL(vs_pin_digest(h, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
				      56, 20), 0);
	CU_ASSERT_EQUAL(vs_pin_digest(h, "abc", 3, 16), -1);
	vs_thumbprint_parse("84983e441c3bd26ebaae4aa1f95129e5e54670f1", p);
	CU_ASSERT(memcmp(h, p, 20) == 0);
}

static void
test_units(void)
{
	int used[16], i;

	CU_ASSERT_EQUAL(vs_unit_free(NULL, 0), 0);
	used[0] = 0;
	CU_ASSERT_EQUAL(vs_unit_free(used, 1), 1);
	for (i = 0; i < 7; i++)
		used[i] = i;
	CU_ASSERT_EQUAL(vs_unit_free(used, 7), 8); /* 7 is the controller */
	for (i = 0; i < 15; i++)
		used[i] = i < 7 ? i : i + 1;
	CU_ASSERT_EQUAL(vs_unit_free(used, 15), -1);	/* 15 disks: full */
	used[3] = 99;
	CU_ASSERT_EQUAL(vs_unit_free(used, 15), 3);
}

static void
test_guest_url(void)
{
	static const struct {
		const char *url, *vs, *want;
	} cases[] = {
		/* ESXi's "*": the host and port the client connected to */
		{ "https://*/guestFile?id=1&token=t", "https://10.0.0.5/sdk",
		  "https://10.0.0.5/guestFile?id=1&token=t" },
		{ "https://*:443/guestFile?id=1", "https://127.0.0.1:8989/sdk",
		  "https://127.0.0.1:8989/guestFile?id=1" },
		{ "https://*/tmp/x", "https://[::1]:9443/sdk",
		  "https://[::1]:9443/tmp/x" },
		/* vCenter names the ESXi host: kept */
		{ "https://esx1.example.com:443/guestFile?id=1",
		  "https://vc.example.com/sdk",
		  "https://esx1.example.com:443/guestFile?id=1" },
		{ "https://*x.example.com/a", "https://vc/sdk",
		  "https://*x.example.com/a" },
		{ "no-scheme", "https://vc/sdk", "no-scheme" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *u = vs_guest_url(cases[i].url, cases[i].vs);

		CU_ASSERT_STRING_EQUAL(u, cases[i].want);
		free(u);
	}
}

static CU_TestInfo tests_vsphere[] = {
	{ "guest transfer URL: '*' is the connected host", test_guest_url },
	{ "envelope", test_envelope },
	{ "disk spec in WSDL order with xsi:type", test_disk_spec },
	{ "RDM and controller specs", test_rdm_and_controller },
	{ "SOAP faults", test_faults },
	{ "values as JSON (vcsim prefixes, MoRefs, arrays)", test_values },
	{ "thumbprint pins and hashes", test_thumbprint },
	{ "free SCSI units skip 7", test_units },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_vsphere[] = {
	{ "vsphere", NULL, NULL, NULL, NULL, tests_vsphere },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_vsphere)
