/*
 * Command-line parsing: split into words, then decode every option word against
 * the table (unknown names, missing or unexpected values are errors) and only
 * then apply them, so a bad command line changes nothing before it is refused.
 */
#include <kite/cmdline.h>
#include <kite/format.h>
#include <stdint.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int cmdline_split(char *buf, char **words, int max_words, const char **error)
{
	char *src = buf, *dst = buf;
	int n = 0;

	for (;;) {
		while (is_blank(*src))
			src++;
		if (!*src)
			return n;
		if (n == max_words) {
			*error = "too many words on the command line";
			return -1;
		}
		words[n++] = dst;
		char quote = 0;
		while (*src && (quote || !is_blank(*src))) {
			char c = *src++;
			if (quote && c == quote) {
				quote = 0;
			} else if (!quote && (c == '"' || c == '\'')) {
				quote = c;
			} else if (c == '\\' && quote != '\'' && *src) {
				*dst++ = *src++;
			} else {
				*dst++ = c;
			}
		}
		if (quote) {
			*error = "unterminated quote on the command line";
			return -1;
		}
		/* dst never passes src, so ending the word here is safe. */
		bool at_end = !*src;
		*dst++ = '\0';
		if (at_end)
			return n;
		src++;
	}
}

static const struct kopt *find_opt(const struct kopt *opts, size_t nr, const char *name,
				   size_t len)
{
	for (size_t i = 0; i < nr; i++)
		if (strlen(opts[i].name) == len && !strncmp(opts[i].name, name, len))
			return &opts[i];
	return NULL;
}

struct decoded {
	const struct kopt *opt;
	const char *value;
};

/* Checks one option word; fills *d or writes the error. */
static int decode(const char *word, const struct kopt *opts, size_t nr, struct decoded *d,
		  char *errbuf, size_t errlen)
{
	const char *name = word + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);

	d->opt = find_opt(opts, nr, name, len);
	d->value = eq ? eq + 1 : NULL;
	if (!d->opt) {
		ksnprintf(errbuf, errlen, "unknown option '%.*s'", (int)len + 2, word);
		return -1;
	}
	if (d->opt->takes_value && !eq) {
		ksnprintf(errbuf, errlen, "option '--%s' needs a value: --%s=%s", d->opt->name,
			  d->opt->name, d->opt->values ? d->opt->values : "VALUE");
		return -1;
	}
	if (!d->opt->takes_value && eq) {
		ksnprintf(errbuf, errlen, "option '--%s' takes no value", d->opt->name);
		return -1;
	}
	return 0;
}

int cmdline_apply(char **words, int n, const struct kopt *opts, size_t nr_opts, char *errbuf,
		  size_t errlen)
{
	struct decoded decoded[CMDLINE_MAX_WORDS];
	int nr_decoded = 0;
	int i;

	for (i = 0; i < n; i++) {
		const char *w = words[i];
		if (!strcmp(w, "--")) {
			i++;
			break;
		}
		if (w[0] != '-')
			break;
		if (w[1] != '-' || !w[2]) {
			ksnprintf(errbuf, errlen, "unknown option '%s' (kernel options start with --)", w);
			return -1;
		}
		if (decode(w, opts, nr_opts, &decoded[nr_decoded], errbuf, errlen))
			return -1;
		nr_decoded++;
	}

	for (int k = 0; k < nr_decoded; k++) {
		const struct kopt *o = decoded[k].opt;
		if (o->set(decoded[k].value)) {
			if (o->values)
				ksnprintf(errbuf, errlen, "bad value '%s' for --%s (expected %s)",
					  decoded[k].value, o->name, o->values);
			else
				ksnprintf(errbuf, errlen, "bad value '%s' for --%s",
					  decoded[k].value ? decoded[k].value : "", o->name);
			return -1;
		}
	}
	return i;
}

int kopt_parse_u64(const char *value, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*value)
		return -1;
	for (const char *p = value; *p; p++) {
		uint64_t digit = (uint64_t)(*p - '0');
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
