/*
 * pcap_floor.c - the floor of the benchmark: a bare libpcap read loop.
 *
 * Reads every packet of each capture with pcap_next_ex() and does nothing
 * else, opened the way credssp-analyze opens its inputs; what the analyzer
 * costs above this is the analysis itself. Prints the packets and the
 * captured bytes it saw, so the benchmark can check it read the whole file.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CAPTURE...\n", argv[0]);
        return 2;
    }
    uint64_t packets = 0, bytes = 0;
    for (int i = 1; i < argc; i++) {
        char errbuf[PCAP_ERRBUF_SIZE] = "";
        pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[i], PCAP_TSTAMP_PRECISION_MICRO, errbuf);
        if (!p) {
            fprintf(stderr, "%s: %s\n", argv[i], errbuf);
            return 2;
        }
        struct pcap_pkthdr *h;
        const u_char *data;
        while (pcap_next_ex(p, &h, &data) == 1) {
            packets++;
            bytes += h->caplen;
        }
        pcap_close(p);
    }
    printf("packets %llu bytes %llu\n", (unsigned long long)packets, (unsigned long long)bytes);
    return 0;
}
