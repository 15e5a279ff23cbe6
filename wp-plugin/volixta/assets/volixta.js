/*
 * Small glue between service-rendered fragments and the REST proxy. No framework: fragments opt in
 * with data- attributes (documented in readme.txt), so templates change without a plugin release.
 */
(function () {
	'use strict';

	var config = window.volixtaConfig || {};
	var i18n = config.i18n || {};

	function idempotencyKey() {
		if (window.crypto && window.crypto.randomUUID) {
			return window.crypto.randomUUID();
		}
		return Date.now().toString(36) + Math.random().toString(36).slice(2);
	}

	// Without pretty permalinks restUrl is "…/?rest_route=/volixta/v1/", so a query joins with "&".
	function endpoint(path) {
		var parts = path.replace(/^\/+/, '').split('?');
		var url = (config.restUrl || '/wp-json/volixta/v1/') + parts.shift();
		if (parts.length) {
			url += (url.indexOf('?') === -1 ? '?' : '&') + parts.join('?');
		}
		return url;
	}

	// One call through the proxy; resolves to {ok, status, json, text, response}.
	function request(method, path, body, options) {
		options = options || {};
		var headers = { 'X-WP-Nonce': config.nonce || '' };
		if (options.idempotencyKey) {
			headers['Idempotency-Key'] = options.idempotencyKey;
		}
		var init = { method: method, credentials: 'same-origin', headers: headers };
		if (body !== undefined && body !== null && method !== 'GET') {
			headers['Content-Type'] = 'application/json';
			init.body = typeof body === 'string' ? body : JSON.stringify(body);
		}
		return fetch(endpoint(path), init).then(function (response) {
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

	// The service's render usually returns the fragment's own root element: swap the element then,
	// otherwise (a template without that marker) replace its content.
	function refresh(fragment) {
		var name = fragment.getAttribute('data-volixta-fragment');
		return request('GET', 'render/' + name).then(function (result) {
			if (!result.ok || result.text === null) {
				return;
			}
			var template = document.createElement('template');
			template.innerHTML = result.text;
			var root = template.content.querySelector('[data-volixta-fragment="' + name + '"]');
			var target = fragment;
			if (root && template.content.children.length === 1 && template.content.firstElementChild === root) {
				fragment.replaceWith(root);
				target = root;
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

	function run(element, body) {
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
		var scope = element.closest('[data-volixta-fragment]') || element.parentNode;
		element.setAttribute('aria-busy', 'true');
		request(method, element.getAttribute('data-volixta-action'), body, { idempotencyKey: element.dataset.volixtaKey })
			.then(function (result) {
				if (!result.ok) {
					showError(element.tagName === 'FORM' ? element : scope, errorMessage(result));
					return;
				}
				delete element.dataset.volixtaKey;
				element.dispatchEvent(new CustomEvent('volixta:done', { bubbles: true, detail: result }));
				var fragment = element.closest('[data-volixta-fragment]');
				if (fragment && element.getAttribute('data-volixta-refresh') !== 'false') {
					return refresh(fragment);
				}
			})
			.catch(function () { showError(scope, i18n.failed); })
			.then(function () { element.removeAttribute('aria-busy'); });
	}

	function download(link) {
		request('GET', link.getAttribute('data-volixta-download')).then(function (result) {
			if (!result.ok || !result.blob) {
				showError(link.closest('[data-volixta-fragment]') || link.parentNode, errorMessage(result));
				return;
			}
			var url = URL.createObjectURL(result.blob);
			var a = document.createElement('a');
			a.href = url;
			a.download = link.getAttribute('download') || link.getAttribute('data-volixta-download').split('/').pop();
			document.body.appendChild(a);
			a.click();
			a.remove();
			setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
		});
	}

	document.addEventListener('submit', function (event) {
		var form = event.target.closest && event.target.closest('form[data-volixta-action]');
		if (!form) {
			return;
		}
		event.preventDefault();
		run(form, formBody(form));
	});

	document.addEventListener('click', function (event) {
		var target = event.target.closest && event.target.closest('[data-volixta-action]:not(form), [data-volixta-download]');
		if (!target) {
			return;
		}
		event.preventDefault();
		if (target.hasAttribute('data-volixta-download')) {
			download(target);
			return;
		}
		var raw = target.getAttribute('data-volixta-body');
		var body = {};
		try {
			body = raw ? JSON.parse(raw) : {};
		} catch (e) {
			body = {};
		}
		run(target, body);
	});

	window.Volixta = { request: request, refresh: refresh };
}());
