// WooCommerce's wire protocol, transcribed from its PHP source (see
// /work/shared/woocommerce/PROTOCOL.md): the OAuth 1.0a check of WC_REST_Authentication, the
// webhook signature of WC_Webhook::generate_signature and PHP's json_encode. Pure functions, so
// the fixtures' vectors can prove each one (protocol.test.mjs).
import crypto from 'node:crypto';

/** PHP rawurlencode: RFC 3986, everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
export function rawurlencode(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** PHP rawurldecode: %XX only ('+' stays '+'); malformed sequences are left as they are. */
export function rawurldecode(s) {
  return s.replace(/(%[0-9A-Fa-f]{2})+/g, (seq) => {
    try { return decodeURIComponent(seq); } catch { return seq; }
  });
}

/** wc_rest_urlencode_rfc3986 as WC_REST_Authentication::normalize_parameters applies it. */
export function normalize(x) {
  return rawurlencode(rawurldecode(x)).replaceAll('%', '%25');
}

/** PHP strcmp order on the keys (byte order). */
function strcmp(a, b) {
  const x = Buffer.from(a), y = Buffer.from(b);
  return Buffer.compare(x, y);
}

/**
 * The string WooCommerce signs: METHOD & rawurlencode(home_url + path) & the sorted, normalised
 * parameters (every query parameter but oauth_signature) joined as key%3Dvalue with %26.
 * `params` holds decoded values, as PHP's $_GET does.
 */
export function oauthBaseString(method, homeUrl, path, params) {
  const keys = Object.keys(params).filter((k) => k !== 'oauth_signature').sort(strcmp);
  const joined = keys.map((k) => `${normalize(k)}%3D${normalize(String(params[k]))}`).join('%26');
  return `${method.toUpperCase()}&${rawurlencode(homeUrl.replace(/\/$/, '') + path)}&${joined}`;
}

export function oauthSignature(baseString, consumerSecret, method = 'HMAC-SHA256') {
  const algo = method === 'HMAC-SHA1' ? 'sha1' : 'sha256';
  return crypto.createHmac(algo, `${consumerSecret}&`).update(baseString).digest('base64');
}

/** wp_specialchars_decode($secret, ENT_QUOTES): the HMAC key WooCommerce really uses. */
export function specialcharsDecode(s) {
  return s
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#039;', "'")
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}

/** X-WC-Webhook-Signature of a delivery's raw body. */
export function webhookSignature(body, storedSecret) {
  return crypto.createHmac('sha256', specialcharsDecode(storedSecret)).update(body).digest('base64');
}

/** PHP json_encode with default flags: compact, "/" as "\/", every non-ASCII char as \uXXXX. */
export function phpJsonEncode(value) {
  return JSON.stringify(value)
    .replaceAll('/', '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** X-WC-Webhook-Delivery-ID: hash_hmac('md5', webhook id . unix time, salt); not unique. */
export function deliveryId(webhookId, unixTime, salt) {
  return crypto.createHmac('md5', salt).update(`${webhookId}${unixTime}`).digest('hex');
}
