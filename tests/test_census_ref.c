/* The census programs against the independent reference (tests/census_ref.c): every frame of
 * the systematic set, whole and cut at every length, must be counted exactly as the reference
 * says, by the XDP and by the TC program. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "census_diff.h"
#include "census_frames.h"
#include "census_ref.h"

struct sweep {
	struct census_diff d;
	enum census_diff_prog prog;
	size_t runs, refused, disagreements;
	size_t kinds[CENSUS_REF_FRAGMENT + 1];
};

static void sweep_one(struct sweep *w, const uint8_t *frame, size_t len)
{
	char why[512], hex[2 * 600];
	struct census_ref ref;
	int rc = census_diff_check(&w->d, w->prog, frame, len, why, sizeof(why));

	if (rc == -EINVAL && w->prog == CENSUS_DIFF_TC && len < 14 + 4 * 2 + 40) {
		w->refused++; /* the skb test runner wants a whole IP header after Ethernet */
		return;
	}
	cr_assert_geq(rc, 0, "test run of %zu bytes: %s", len, strerror(-rc));
	w->runs++;
	census_ref_classify(frame, len, w->d.max_port, &ref);
	w->kinds[ref.kind]++;
	if (rc == 1 && w->disagreements++ < 5) {
		census_diff_hex(frame, len, hex, sizeof(hex));
		cr_log_error("%s, frame %s", why, hex);
	}
}

/* The frame, then every cut of it down to an Ethernet header. */
static void sweep_cuts(const uint8_t *frame, size_t len, void *ctx)
{
	for (size_t cut = len; cut >= 14; cut--)
		sweep_one(ctx, frame, cut);
}

static void sweep_whole(const uint8_t *frame, size_t len, void *ctx)
{
	uint8_t padded[600];

	sweep_one(ctx, frame, len);
	/* Ethernet padding after the datagram changes nothing. */
	memcpy(padded, frame, len);
	memset(padded + len, 0, 18);
	sweep_one(ctx, padded, len + 18);
}

static void sweep(enum census_diff_prog prog)
{
	struct sweep w = { .prog = prog };
	size_t frames;

	cr_assert_eq(census_diff_open(&w.d, 1000), 0, "load census (needs root/CAP_BPF)");
	frames = census_frames_each(sweep_whole, &w);
	census_frames_each(sweep_cuts, &w);
	census_diff_close(&w.d);
	cr_log_info("%zu frames, %zu runs, %zu refused by the test runner; reference verdicts: "
		    "%zu nothing, %zu port, %zu icmp-reply, %zu malformed, %zu fragment",
		    frames, w.runs, w.refused, w.kinds[0], w.kinds[1], w.kinds[2], w.kinds[3], w.kinds[4]);
	cr_assert_eq(w.disagreements, 0, "%zu of %zu runs disagree with the reference", w.disagreements,
		     w.runs);
	/* The set must reach every verdict, or it tests less than it claims. */
	for (int k = 0; k <= CENSUS_REF_FRAGMENT; k++)
		cr_assert_gt(w.kinds[k], 0, "no frame of the set is %s", census_ref_kind_name(k));
}

Test(census_ref, xdp_agrees_on_every_header_combination_and_cut) { sweep(CENSUS_DIFF_XDP); }

Test(census_ref, tc_agrees_on_every_header_combination_and_cut) { sweep(CENSUS_DIFF_TC); }
