/* pcapcut: writes every packet of a pcap file once per caplen 0..MAX (original length kept),
 * so tests can compare truncated-packet output with tcpdump's at every cut.
 *   build/tools/pcapcut IN.pcap OUT.pcap [MAX]       MAX defaults to 130 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_dumper_t *out;
	unsigned long max = argc > 3 ? strtoul(argv[3], NULL, 10) : 130;
	pcap_t *in;
	int rc;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: pcapcut IN.pcap OUT.pcap [MAX]\n");
		return 2;
	}
	in = pcap_open_offline(argv[1], err);
	if (!in) {
		fprintf(stderr, "pcapcut: %s\n", err);
		return 2;
	}
	out = pcap_dump_open(in, argv[2]);
	if (!out) {
		fprintf(stderr, "pcapcut: %s\n", pcap_geterr(in));
		pcap_close(in);
		return 2;
	}
	while ((rc = pcap_next_ex(in, &h, &bytes)) == 1) {
		struct pcap_pkthdr cut = *h;

		for (bpf_u_int32 c = 0; c <= h->caplen && c <= max; c++) {
			cut.caplen = c;
			pcap_dump((u_char *)out, &cut, bytes);
		}
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "pcapcut: %s\n", pcap_geterr(in));
	pcap_dump_close(out);
	pcap_close(in);
	return rc == PCAP_ERROR ? 2 : 0;
}
