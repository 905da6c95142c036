/* ping's iputils-compatible text: time rounding, summary lines, mdev, duplicates and pipe,
 * against values worked out by hand from iputils' formatting rules. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ping_report.h"

static char *fmt_time(long us)
{
	static char buf[32];

	ping_fmt_time(buf, sizeof(buf), us);
	return buf;
}

Test(ping_report, time_rounding)
{
	cr_assert_str_eq(fmt_time(0), "0.000");
	cr_assert_str_eq(fmt_time(52), "0.052");
	cr_assert_str_eq(fmt_time(999), "0.999");
	cr_assert_str_eq(fmt_time(1000), "1.00");
	cr_assert_str_eq(fmt_time(1234), "1.23");
	cr_assert_str_eq(fmt_time(1235), "1.24");
	cr_assert_str_eq(fmt_time(9994), "9.99");
	cr_assert_str_eq(fmt_time(9995), "10.0");
	cr_assert_str_eq(fmt_time(12345), "12.3");
	cr_assert_str_eq(fmt_time(99949), "99.9");
	cr_assert_str_eq(fmt_time(99950), "100");
	cr_assert_str_eq(fmt_time(123456), "123");
}

static struct ping_stats *fresh(bool timing)
{
	struct ping_stats *s = malloc(sizeof(*s));

	cr_assert_not_null(s);
	ping_stats_init(s, timing);
	return s;
}

static char *summary(const struct ping_stats *s, long elapsed_us, bool interval_zero)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ping_print_summary(f, "h", s, elapsed_us, interval_zero);
	fclose(f);
	return buf;
}

Test(ping_report, rtt_line_population_mdev)
{
	struct ping_stats *s = fresh(true);
	char *out;

	/* Each answered before the next is sent: pipe 1, not printed. */
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(ping_stats_sent(s), i + 1);
		cr_assert_not(ping_stats_reply(s, (uint16_t)(i + 1), 100 * (i + 1)));
	}
	/* var = (140000 - 600*600/3) / 3 = 6666 us^2, floor sqrt = 81 us */
	out = summary(s, 400499, false);
	cr_assert_str_eq(out, "\n--- h ping statistics ---\n"
			      "3 packets transmitted, 3 received, 0% packet loss, time 400ms\n"
			      "rtt min/avg/max/mdev = 0.100/0.200/0.300/0.081 ms\n");
	free(out);
	free(s);
}

Test(ping_report, loss_duplicates_and_rounding_of_time)
{
	struct ping_stats *s = fresh(true);
	char *out;

	ping_stats_sent(s);
	ping_stats_reply(s, 1, 1500);
	cr_assert(ping_stats_reply(s, 1, 2500), "second answer to seq 1 is a duplicate");
	ping_stats_sent(s);
	ping_stats_sent(s);
	/* 2 of 3 lost: 66.666...% through float and %g; duplicates count in min/avg/max. */
	out = summary(s, 2000500, false);
	cr_assert_str_eq(out, "\n--- h ping statistics ---\n"
			      "3 packets transmitted, 1 received, +1 duplicates, 66.6667% packet loss, "
			      "time 2001ms\n"
			      "rtt min/avg/max/mdev = 1.500/2.000/2.500/0.500 ms\n");
	free(out);
	free(s);
}

Test(ping_report, errors_pipe_and_no_rtt_line)
{
	struct ping_stats *s = fresh(true);
	char *out;

	for (int i = 0; i < 3; i++)
		ping_stats_sent(s);
	ping_stats_error(s, 1, true); /* seq 1 answered when 3 were out: pipe 3 */
	ping_stats_error(s, 2, true);
	out = summary(s, 1000000, false);
	cr_assert_str_eq(out, "\n--- h ping statistics ---\n"
			      "3 packets transmitted, 0 received, +2 errors, 100% packet loss, "
			      "time 1000ms\npipe 3\n");
	free(out);
	free(s);
}

Test(ping_report, no_timing_prints_empty_line)
{
	struct ping_stats *s = fresh(false);
	char *out;

	ping_stats_sent(s);
	ping_stats_reply(s, 1, 0);
	out = summary(s, 0, false);
	cr_assert_str_eq(out, "\n--- h ping statistics ---\n"
			      "1 packets transmitted, 1 received, 0% packet loss, time 0ms\n\n");
	free(out);
	free(s);
}

Test(ping_report, ipg_ewma_when_interval_zero)
{
	struct ping_stats *s = fresh(true);
	char *out;

	ping_stats_sent(s);
	ping_stats_reply(s, 1, 80); /* ewma8 = 640 */
	ping_stats_sent(s);
	ping_stats_reply(s, 2, 160); /* ewma8 = 640 + 160 - 80 = 720 -> 0.090 */
	out = summary(s, 5000, true); /* ipg = 5000 / 1 */
	cr_assert_str_eq(out, "\n--- h ping statistics ---\n"
			      "2 packets transmitted, 2 received, 0% packet loss, time 5ms\n"
			      "rtt min/avg/max/mdev = 0.080/0.120/0.160/0.040 ms, "
			      "ipg/ewma 5.000/0.090 ms\n");
	free(out);
	free(s);
}

Test(ping_report, sequence_wraps_and_forgets_old_answers)
{
	struct ping_stats *s = fresh(false);

	for (int i = 0; i < 65536; i++)
		ping_stats_sent(s);
	cr_assert_not(ping_stats_reply(s, 0, 0));
	cr_assert_eq(ping_stats_sent(s), 1, "sequence 65537 wraps to 1");
	cr_assert_not(ping_stats_reply(s, 1, 0));
	free(s);
}

Test(ping_report, icmp_wording)
{
	char b[96];

	ping_fmt_icmp(b, sizeof(b), AF_INET, 3, 1, 0);
	cr_assert_str_eq(b, "Destination Host Unreachable");
	ping_fmt_icmp(b, sizeof(b), AF_INET, 3, 4, 1400);
	cr_assert_str_eq(b, "Frag needed and DF set (mtu = 1400)");
	ping_fmt_icmp(b, sizeof(b), AF_INET, 11, 0, 0);
	cr_assert_str_eq(b, "Time to live exceeded");
	ping_fmt_icmp(b, sizeof(b), AF_INET, 3, 99, 0);
	cr_assert_str_eq(b, "Dest Unreachable, Bad Code: 99");
	ping_fmt_icmp(b, sizeof(b), AF_INET6, 1, 3, 0);
	cr_assert_str_eq(b, "Destination unreachable: Address unreachable");
	ping_fmt_icmp(b, sizeof(b), AF_INET6, 3, 0, 0);
	cr_assert_str_eq(b, "Time exceeded: Hop limit");
	ping_fmt_icmp(b, sizeof(b), AF_INET6, 2, 0, 1280);
	cr_assert_str_eq(b, "Packet too big: mtu=1280");
}
