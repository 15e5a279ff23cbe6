/*
 * Small glue between service-rendered fragments and the REST proxy. No framework: fragments opt in
 * with data- attributes (documented in readme.txt), so templates change without a plugin release.
 */
(function () {
	'use strict';

	var config = window.volixtaConfig || {};
	var i18n = config.i18n || {};

	// Post content can carry any data-* attribute (WordPress keeps them for Authors), so markup
	// alone proves nothing. The plugin marks each container it renders with a fresh random token
	// and hands the tokens to this script in inline script, which an Author cannot write; only
	// elements inside such a container may act.
	var ROOT = 'data-volixta-root';
	var roots = Object.create(null);
	(Array.isArray(config.roots) ? config.roots : []).forEach(function (token) {
		if (typeof token === 'string' && /^[0-9a-f]{32}$/.test(token)) {
			roots[token] = true;
		}
	});

	var METHODS = { GET: true, POST: true, PUT: true, PATCH: true, DELETE: true };

	function refused(what) {
		return new Error('Volixta: refused ' + what);
	}

	// The plugin-rendered container an element sits in, or null. Only the nearest marked ancestor
	// counts: an Author's element that copies a marker sits in that copy, never in a real root.
	function rootOf(element) {
		var root = element && element.closest ? element.closest('[' + ROOT + ']') : null;
		return root && roots[root.getAttribute(ROOT)] === true ? root : null;
	}

	function idempotencyKey() {
		if (window.crypto && window.crypto.randomUUID) {
			return window.crypto.randomUUID();
		}
		return Date.now().toString(36) + Math.random().toString(36).slice(2);
	}

	// A path below volixta/v1/ and an optional query, or null. Segments are unreserved characters
	// only, so "..", "%2e%2e", backslashes, "//" and absolute URLs cannot climb out of the
	// namespace; query keys are plain names other than WordPress's own (rest_route and the "_"
	// parameters), so a query cannot re-route the call: without pretty permalinks restUrl is
	// "…/?rest_route=/volixta/v1/" and a second rest_route would win. PHP turns "." and " " in
	// names into "_", which is why keys may not hold them.
	function checkedPath(path) {
		if (typeof path !== 'string' || path === '' || path.length > 512) {
			return null;
		}
		var mark = path.indexOf('?');
		var route = mark === -1 ? path : path.slice(0, mark);
		var segments = route.split('/');
		for (var i = 0; i < segments.length; i++) {
			if (!/^[A-Za-z0-9._~-]+$/.test(segments[i]) || segments[i] === '.' || segments[i] === '..') {
				return null;
			}
		}
		if (mark === -1) {
			return route;
		}
		var query = new URLSearchParams(path.slice(mark + 1));
		var kept = new URLSearchParams();
		var ok = true;
		query.forEach(function (value, key) {
			var name = key.split('[')[0].toLowerCase();
			if (!/^[A-Za-z][A-Za-z0-9_-]*(\[[A-Za-z0-9_-]*\])*$/.test(key) || name === 'rest_route') {
				ok = false;
			}
			kept.append(key, value);
		});
		var rebuilt = kept.toString();
		return ok ? route + (rebuilt === '' ? '' : '?' + rebuilt) : null;
	}

	// The REST URL of a checked path; throws when the path is not the plugin's to call.
	function endpoint(path) {
		var checked = checkedPath(path);
		if (checked === null) {
			throw refused('the path ' + JSON.stringify(path));
		}
		var base = new URL(config.restUrl || '/wp-json/volixta/v1/', window.location.href);
		var parts = checked.split('?');
		var url = new URL(base.href + parts[0], base);
		if (parts.length > 1) {
			url = new URL(url.href + (url.search === '' ? '?' : '&') + parts[1]);
		}
		// The checks above should make these hold; they are cheap, and they are what matters.
		var baseRoute = base.searchParams.get('rest_route');
		var sameRoute = baseRoute === null
			? !url.searchParams.has('rest_route')
			: url.searchParams.getAll('rest_route').length === 1 && url.searchParams.get('rest_route').indexOf(baseRoute) === 0;
		if (url.origin !== base.origin || url.pathname.indexOf(base.pathname) !== 0 || !sameRoute) {
			throw refused('the URL ' + url.href);
		}
		return url.href;
	}

	// One call through the proxy; resolves to {ok, status, json, text, response}, and rejects
	// without sending anything when the method or path is not one the plugin serves.
	function request(method, path, body, options) {
		options = options || {};
		method = String(method || '').toUpperCase();
		var url;
		try {
			if (!METHODS[method]) {
				throw refused('the method ' + JSON.stringify(method));
			}
			url = endpoint(path);
		} catch (e) {
			return Promise.reject(e);
		}
		var headers = { 'X-WP-Nonce': config.nonce || '' };
		if (options.idempotencyKey) {
			headers['Idempotency-Key'] = options.idempotencyKey;
		}
		var init = { method: method, credentials: 'same-origin', headers: headers };
		if (body !== undefined && body !== null && method !== 'GET') {
			headers['Content-Type'] = 'application/json';
			init.body = typeof body === 'string' ? body : JSON.stringify(body);
		}
		return fetch(url, init).then(function (response) {
			var type = response.headers.get('Content-Type') || '';
			var reader = type.indexOf('json') !== -1 ? response.json() : (type.indexOf('text/') === 0 ? response.text() : response.blob());
			return reader.then(function (data) {
				return {
					ok: response.ok,
					status: response.status,
					json: type.indexOf('json') !== -1 ? data : null,
					text: typeof data === 'string' ? data : null,
					blob: data instanceof Blob ? data : null,
					response: response
				};
			});
		});
	}

	function errorMessage(result) {
		if (result && result.json && result.json.error && result.json.error.message) {
			return result.json.error.message;
		}
		if (result && result.json && result.json.message) {
			return result.json.message; // WordPress's own REST errors.
		}
		return result && result.status === 502 ? i18n.unavailable : i18n.failed;
	}

	function showError(scope, message) {
		var box = scope.querySelector('[data-volixta-errors]');
		if (!box) {
			box = document.createElement('p');
			box.className = 'volixta-error';
			box.setAttribute('role', 'alert');
			box.setAttribute('data-volixta-errors', '');
			scope.insertBefore(box, scope.firstChild);
		}
		box.textContent = message || i18n.failed;
	}

	// The fragment an element belongs to, or null when the nearest one lies outside its root.
	function fragmentOf(element, root) {
		var fragment = element.closest('[data-volixta-fragment]');
		return fragment && root.contains(fragment) ? fragment : null;
	}

	// The service's render usually returns the fragment's own root element: swap the element then,
	// otherwise (a template without that marker, or a fragment that is the plugin's root itself)
	// replace its content.
	function refresh(fragment) {
		var name = fragment && fragment.getAttribute ? fragment.getAttribute('data-volixta-fragment') : null;
		if (!rootOf(fragment) || typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) {
			return Promise.reject(refused('a fragment outside the plugin\'s containers'));
		}
		return request('GET', 'render/' + name).then(function (result) {
			if (!result.ok || result.text === null) {
				return;
			}
			var template = document.createElement('template');
			template.innerHTML = result.text;
			var fresh = template.content.querySelector('[data-volixta-fragment="' + name + '"]');
			var target = fragment;
			if (fresh && template.content.children.length === 1 && template.content.firstElementChild === fresh && !fragment.hasAttribute(ROOT)) {
				fragment.replaceWith(fresh);
				target = fresh;
			} else {
				fragment.innerHTML = result.text;
			}
			target.dispatchEvent(new CustomEvent('volixta:refreshed', { bubbles: true }));
		});
	}

	function formBody(form) {
		var body = {};
		new FormData(form).forEach(function (value, key) {
			if (Object.prototype.hasOwnProperty.call(body, key)) {
				body[key] = [].concat(body[key], value);
			} else {
				body[key] = value;
			}
		});
		return body;
	}

	function run(element, root, body) {
		var message = element.getAttribute('data-volixta-confirm');
		if (message && !window.confirm(message)) {
			return;
		}
		if (element.getAttribute('aria-busy') === 'true') {
			return;
		}
		// The key survives a failed attempt so a retry of the same action cannot apply twice.
		if (!element.dataset.volixtaKey) {
			element.dataset.volixtaKey = idempotencyKey();
		}
		var method = (element.getAttribute('data-volixta-method') || 'POST').toUpperCase();
		var fragment = fragmentOf(element, root);
		var scope = fragment || root;
		element.setAttribute('aria-busy', 'true');
		request(method, element.getAttribute('data-volixta-action'), body, { idempotencyKey: element.dataset.volixtaKey })
			.then(function (result) {
				if (!result.ok) {
					showError(element.tagName === 'FORM' ? element : scope, errorMessage(result));
					return;
				}
				delete element.dataset.volixtaKey;
				element.dispatchEvent(new CustomEvent('volixta:done', { bubbles: true, detail: result }));
				if (fragment && element.getAttribute('data-volixta-refresh') !== 'false') {
					return refresh(fragment);
				}
			})
			.catch(function (e) {
				if (window.console) {
					window.console.warn(e);
				}
				showError(scope, i18n.failed);
			})
			.then(function () { element.removeAttribute('aria-busy'); });
	}

	function download(link, root) {
		var scope = fragmentOf(link, root) || root;
		request('GET', link.getAttribute('data-volixta-download')).then(function (result) {
			// Text files (CSV) arrive as text; they are saved all the same.
			var blob = result.blob || (result.ok && result.text !== null
				? new Blob([result.text], { type: result.response.headers.get('Content-Type') || 'text/plain' })
				: null);
			if (!result.ok || !blob) {
				showError(scope, errorMessage(result));
				return;
			}
			var url = URL.createObjectURL(blob);
			var a = document.createElement('a');
			a.href = url;
			// A button carries its file's name in data-volixta-download-name (buttons have no
			// download attribute); characters a file name should not hold become underscores.
			a.download = (link.getAttribute('download') || link.getAttribute('data-volixta-download-name')
				|| link.getAttribute('data-volixta-download').split('/').pop()).replace(/[^A-Za-z0-9._-]/g, '_');
			document.body.appendChild(a);
			a.click();
			a.remove();
			setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
		}).catch(function (e) {
			if (window.console) {
				window.console.warn(e);
			}
			showError(scope, i18n.failed);
		});
	}

	document.addEventListener('submit', function (event) {
		var form = event.target.closest && event.target.closest('form[data-volixta-action]');
		var root = rootOf(form);
		if (!root) {
			return; // not ours: the browser does what it would do without this script
		}
		event.preventDefault();
		run(form, root, formBody(form));
	});

	document.addEventListener('click', function (event) {
		var target = event.target.closest && event.target.closest('[data-volixta-action]:not(form), [data-volixta-download]');
		var root = rootOf(target);
		if (!root) {
			return; // not ours: the browser does what it would do without this script
		}
		event.preventDefault();
		if (target.hasAttribute('data-volixta-download')) {
			download(target, root);
			return;
		}
		var raw = target.getAttribute('data-volixta-body');
		var body = {};
		try {
			body = raw ? JSON.parse(raw) : {};
		} catch (e) {
			body = {};
		}
		run(target, root, body);
	});

	// The checks are shared with the htmx glue (volixta-htmx.js), so one set of rules decides what
	// any script of the plugin may send.
	window.Volixta = {
		request: request,
		refresh: refresh,
		rootOf: rootOf,
		checkedPath: checkedPath,
		endpoint: endpoint,
		showError: showError,
		errorMessage: errorMessage
	};
}());
