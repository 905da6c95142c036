/* Enumerates the census's systematic frame set with tests/frames.c. */
#include "census_frames.h"

#include "frames.h"

struct l4_variant {
	uint8_t proto;
	uint16_t sport;
	int doff;
	uint8_t icmp_type;
};

static const struct l4_variant l4_variants[] = {
	{ 6, 22, 5, 0 },   { 6, 1000, 5, 0 }, { 6, 1001, 5, 0 }, { 6, 22, 4, 0 }, { 6, 22, 15, 0 },
	{ 17, 53, 0, 0 },  { 1, 0, 0, 0 },    { 1, 0, 0, 8 },    { 58, 0, 0, 129 }, { 58, 0, 0, 128 },
};

/* Fragment variants: whole datagram, first fragment, non-first fragment. */
static const struct { uint16_t offset; bool more; } frags[] = { { 0, false }, { 0, true }, { 185, false } };

static size_t frames_emit(struct frame_spec *s, void (*fn)(const uint8_t *, size_t, void *), void *ctx)
{
	uint8_t buf[512];
	size_t n = 0, len;

	for (size_t v = 0; v < sizeof(l4_variants) / sizeof(l4_variants[0]); v++) {
		const struct l4_variant *l4 = &l4_variants[v];

		s->proto = l4->proto;
		s->sport = l4->sport;
		s->tcp_doff = l4->doff;
		s->icmp_type = l4->icmp_type;
		for (int payload = 0; payload <= 5; payload += 5) {
			s->payload = payload;
			len = frame_build(s, buf, sizeof(buf));
			if (len) {
				fn(buf, len, ctx);
				n++;
			}
		}
	}
	return n;
}

size_t census_frames_each(void (*fn)(const uint8_t *frame, size_t len, void *ctx), void *ctx)
{
	static const int v4_opts[] = { 0, 1, 10 }, v6_exts[] = { 0, 1, 2, 5, 6, 7 };
	size_t n = 0;

	for (int vlans = 0; vlans <= 2; vlans++) {
		for (size_t f = 0; f < sizeof(frags) / sizeof(frags[0]); f++) {
			for (size_t o = 0; o < sizeof(v4_opts) / sizeof(v4_opts[0]); o++) {
				struct frame_spec s = { .family = 4, .src = "198.18.0.2", .dst = "198.18.0.1",
							.dport = 80, .vlans = vlans, .ip_opt_words = v4_opts[o],
							.frag_offset = frags[f].offset, .more_frags = frags[f].more };

				n += frames_emit(&s, fn, ctx);
			}
			for (size_t e = 0; e < sizeof(v6_exts) / sizeof(v6_exts[0]); e++) {
				struct frame_spec s = { .family = 6, .src = "2001:db8::2", .dst = "2001:db8::1",
							.dport = 80, .vlans = vlans, .v6_opt_hdrs = v6_exts[e],
							.v6_frag_hdr = f > 0, .frag_offset = frags[f].offset,
							.more_frags = frags[f].more };

				n += frames_emit(&s, fn, ctx);
			}
		}
	}
	return n;
}
