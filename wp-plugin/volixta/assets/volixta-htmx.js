/*
 * htmx for the plugin's own screens, on a short leash. Fragments the service renders use htmx
 * attributes with the data- prefix; post content can carry the same attributes (WordPress keeps
 * data-* for Authors), so htmx here may do nothing that markup alone could ask for:
 * - no evaluated code (hx-on, js: values, trigger filters), no script tags from responses, no
 *   history snapshots, and these settings cannot be changed by a <meta name="htmx-config">;
 * - no attribute is inherited from an ancestor;
 * - a request leaves only from an element inside a container the plugin rendered (the same check
 *   as volixta.js: Volixta.rootOf), whose ancestors carry no htmx attribute, and only to a path
 *   under volixta/v1/ that Volixta.checkedPath accepts, with the REST nonce and no other header
 *   (but the Idempotency-Key a rendered form carries in data-volixta-idempotency-key);
 * - a response is swapped only into the container the request came from.
 */
(function () {
	'use strict';

	var htmx = window.htmx;
	var Volixta = window.Volixta;
	var config = window.volixtaConfig || {};
	if (!htmx || !Volixta || !Volixta.checkedPath) {
		return;
	}

	var LOCKED = {
		allowEval: false,
		allowScriptTags: false,
		selfRequestsOnly: true,
		historyEnabled: false,
		historyCacheSize: 0,
		refreshOnHistoryMiss: false,
		disableInheritance: true,
		getCacheBusterParam: false,
		withCredentials: false,
		ignoreTitle: true,
		scrollIntoViewOnBoost: false,
		methodsThatUseUrlParams: Object.freeze(['get'])
	};
	var settings = htmx.config;
	Object.keys(LOCKED).forEach(function (key) {
		Object.defineProperty(settings, key, {
			enumerable: true,
			configurable: false,
			get: function () { return LOCKED[key]; },
			set: function () {}
		});
	});
	// htmx replaces its config object with a merged copy when it reads <meta name="htmx-config">;
	// the merge keeps the locked values.
	Object.defineProperty(htmx, 'config', {
		enumerable: true,
		configurable: false,
		get: function () { return settings; },
		set: function (next) {
			Object.keys(next || {}).forEach(function (key) {
				if (!Object.prototype.hasOwnProperty.call(LOCKED, key)) {
					settings[key] = next[key];
				}
			});
		}
	});

	var METHODS = { GET: true, POST: true, PUT: true, PATCH: true, DELETE: true };
	var HTMX_ATTRIBUTE = /^(data-)?hx-/i;

	// Markup around a container could otherwise lend it attributes (hx-inherit) or boost it.
	function wrappedInHtmx(root) {
		for (var el = root.parentElement; el; el = el.parentElement) {
			for (var i = 0; i < el.attributes.length; i++) {
				if (HTMX_ATTRIBUTE.test(el.attributes[i].name)) {
					return true;
				}
			}
		}
		return false;
	}

	// The verified container an element may act from, or null.
	function rootFor(element) {
		var root = element && element.nodeType === 1 ? Volixta.rootOf(element) : null;
		return root && !wrappedInHtmx(root) ? root : null;
	}

	function refuse(event, what) {
		event.preventDefault();
		if (event.detail) {
			event.detail.shouldSwap = false;
		}
		if (window.console) {
			window.console.warn('Volixta: refused ' + what);
		}
	}

	// Capturing on window runs before anything the page could attach to the element or its parents.
	function on(name, handler) {
		window.addEventListener(name, handler, true);
	}

	on('htmx:confirm', function (event) {
		if (!rootFor(event.detail.elt)) {
			refuse(event, 'an htmx request from outside the plugin\'s containers');
		}
	});

	on('htmx:configRequest', function (event) {
		var detail = event.detail;
		var verb = String(detail.verb || '').toUpperCase();
		if (!rootFor(detail.elt) || !METHODS[verb]) {
			refuse(event, 'an htmx request from outside the plugin\'s containers');
			return;
		}
		// The parameters go into the query (GET) or the form body; WordPress reads rest_route and
		// its "_" parameters from either, so they pass the same key rules as a query.
		var fields = new URLSearchParams();
		detail.formData.forEach(function (value, key) {
			fields.append(key, typeof value === 'string' ? value : '');
		});
		var path = String(detail.path || '');
		// Each field's name is checked on its own: a long form is fine, a bad key is not.
		var badKey = null;
		fields.forEach(function (value, key) {
			if (badKey === null && Volixta.checkedPath('f?' + new URLSearchParams([[key, '']]).toString()) === null) {
				badKey = key;
			}
		});
		if (badKey !== null || Volixta.checkedPath(path) === null) {
			refuse(event, badKey !== null ? 'the field ' + JSON.stringify(badKey) : 'the path ' + JSON.stringify(path));
			return;
		}
		try {
			detail.path = Volixta.endpoint(path);
		} catch (e) {
			refuse(event, 'the path ' + JSON.stringify(path));
			return;
		}
		// htmx's own headers (HX-*, and the form encoding it chose) stay; hx-headers do not.
		var headers = {};
		Object.keys(detail.headers || {}).forEach(function (name) {
			var value = String(detail.headers[name]);
			if (/^HX-[A-Za-z-]+$/.test(name) || (/^content-type$/i.test(name) && /^application\/x-www-form-urlencoded(;|$)/i.test(value))) {
				headers[name] = value;
			}
		});
		headers['X-WP-Nonce'] = config.nonce || '';
		// A form the service rendered with a key makes its change once, however often it is sent
		// (a double click, a retry after a lost answer). The element is inside a verified root.
		var keyed = detail.elt.closest('[data-volixta-idempotency-key]');
		var key = keyed && rootFor(keyed) === rootFor(detail.elt) ? keyed.getAttribute('data-volixta-idempotency-key') : null;
		if (key !== null && /^[\x21-\x7E]{1,255}$/.test(key)) {
			headers['Idempotency-Key'] = key;
		}
		detail.headers = headers;
	});

	on('htmx:validateUrl', function (event) {
		var url = event.detail.url;
		var base = new URL(config.restUrl || '/wp-json/volixta/v1/', window.location.href);
		var baseRoute = base.searchParams.get('rest_route');
		var routes = url.searchParams.getAll('rest_route');
		var sameRoute = baseRoute === null
			? routes.length === 0
			: routes.length === 1 && routes[0].indexOf(baseRoute) === 0;
		if (url.origin !== base.origin || url.pathname.indexOf(base.pathname) !== 0 || !sameRoute) {
			refuse(event, 'the URL ' + url.href);
		}
	});

	on('htmx:beforeSwap', function (event) {
		var root = rootFor(event.detail.requestConfig && event.detail.requestConfig.elt);
		if (!root || !root.contains(event.detail.target)) {
			refuse(event, 'a swap outside the container the request came from');
		}
	});

	on('htmx:oobBeforeSwap', function (event) {
		if (!rootFor(event.detail.target)) {
			refuse(event, 'an out-of-band swap outside the plugin\'s containers');
		}
	});

	function failed(event) {
		var elt = event.detail && event.detail.elt;
		var root = rootFor(elt);
		if (!root) {
			return;
		}
		var xhr = event.detail.xhr;
		var json = null;
		try {
			json = xhr && xhr.responseText ? JSON.parse(xhr.responseText) : null;
		} catch (e) {
			json = null;
		}
		var scope = root.querySelector('[id$="-results"]') || root;
		Volixta.showError(scope, Volixta.errorMessage({ json: json, status: xhr ? xhr.status : 0 }));
	}
	document.addEventListener('htmx:responseError', failed);
	document.addEventListener('htmx:sendError', failed);

	// A swap that removed the focused control (a row action, a page link) would drop keyboard users
	// at the top of the page: the field the fragment marked autofocus, the notice that says what
	// happened, or the new content, takes focus.
	document.addEventListener('htmx:afterSettle', function (event) {
		// Dispatched on the new content (the old target is gone after an outerHTML swap).
		var target = event.target;
		var active = document.activeElement;
		if (!target || !target.isConnected || !rootFor(target) || (active && active !== document.body && active.isConnected)) {
			return;
		}
		// A field the fragment marked (the row just added) comes first, then the notice.
		var marked = target.querySelector('[autofocus]');
		if (marked) {
			marked.focus({ preventScroll: false });
			return;
		}
		var next = target.querySelector('.notice') || target;
		if (!next.hasAttribute('tabindex')) {
			next.setAttribute('tabindex', '-1');
		}
		next.focus({ preventScroll: false });
	});

	// Only the browser knows its own time zone: a zone select the service marked with
	// data-volixta-browser-zone (its label, "%s" standing for the zone) gets it as one more choice.
	// One also marked data-volixta-prefer-browser-zone (nothing chosen yet) switches to it.
	var ZONE = /^[A-Za-z][A-Za-z0-9_+\-\/]{0,63}$/;
	function browserZone() {
		try {
			var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
			return ZONE.test(zone) ? zone : '';
		} catch (e) {
			return '';
		}
	}
	function offerBrowserZone(scope) {
		var zone = browserZone();
		if (zone === '' || !scope || !scope.querySelectorAll) {
			return;
		}
		scope.querySelectorAll('select[data-volixta-browser-zone]').forEach(function (select) {
			if (!rootFor(select)) {
				return;
			}
			var known = Array.prototype.some.call(select.options, function (option) { return option.value === zone; });
			if (!known) {
				var option = document.createElement('option');
				option.value = zone;
				option.textContent = String(select.getAttribute('data-volixta-browser-zone') || '%s').replace('%s', zone);
				select.appendChild(option);
			}
			// A visitor who has not chosen a zone sees times in their own (the public booking
			// form, the client portal): the select's own change request shows them again.
			if (select.hasAttribute('data-volixta-prefer-browser-zone')) {
				select.removeAttribute('data-volixta-prefer-browser-zone');
				var shown = select.value;
				select.value = zone;
				if (shown !== zone) {
					select.dispatchEvent(new Event('change', { bubbles: true }));
				} else if (select.hasAttribute('data-volixta-remember-zone')) {
					rememberZone(select);
				}
			}
		});
	}
	// A zone chosen in a select marked data-volixta-remember-zone is kept for a year in a cookie,
	// which the plugin reads when it renders the page again (PortalQuery).
	function rememberZone(select) {
		var zone = select.value;
		if (ZONE.test(zone)) {
			document.cookie = 'volixta_tz=' + encodeURIComponent(zone) + ';path=/;max-age=31536000;samesite=lax' + (window.location.protocol === 'https:' ? ';secure' : '');
		}
	}
	document.addEventListener('change', function (event) {
		var select = event.target;
		if (select && select.matches && select.matches('select[data-volixta-remember-zone]') && rootFor(select)) {
			rememberZone(select);
		}
	}, true);
	// An image the service may only show to the signed-in viewer (a client's photo) is fetched
	// through the proxy like any other call (data-volixta-image: its path) and shown from memory.
	function loadImages(scope) {
		if (!scope || !scope.querySelectorAll) {
			return;
		}
		scope.querySelectorAll('img[data-volixta-image]').forEach(function (img) {
			if (!rootFor(img) || img.hasAttribute('data-volixta-loaded')) {
				return;
			}
			img.setAttribute('data-volixta-loaded', '');
			Volixta.request('GET', img.getAttribute('data-volixta-image')).then(function (result) {
				if (result.ok && result.blob && /^image\//.test(result.blob.type)) {
					img.src = URL.createObjectURL(result.blob);
				}
			}).catch(function () {});
		});
	}
	// htmx:load runs for the page's content at start and for every fragment swapped in.
	document.addEventListener('htmx:load', function (event) {
		var target = event.target;
		var scope = target && target.parentElement ? target.parentElement : target;
		offerBrowserZone(scope);
		loadImages(scope);
	});

	// A file input of a rendered form (data-volixta-file-into="<field>") is never sent itself:
	// its content is read here into that hidden field of the same form, as text or as a data:
	// URL (data-volixta-file-as), refused above data-volixta-file-max bytes, so the form travels
	// through the proxy as plain fields like any other. The submit buttons wait for the reading.
	document.addEventListener('change', function (event) {
		var input = event.target;
		if (!input || !input.matches || !input.matches('input[type=file][data-volixta-file-into]') || !rootFor(input) || !input.form) {
			return;
		}
		var form = input.form;
		var field = function (name) {
			var found = name ? form.elements.namedItem(name) : null;
			return found && found.tagName === 'INPUT' && found.type === 'hidden' ? found : null;
		};
		var target = field(input.getAttribute('data-volixta-file-into'));
		var nameField = field(input.getAttribute('data-volixta-file-name-into'));
		var max = parseInt(input.getAttribute('data-volixta-file-max') || '0', 10);
		var status = input.getAttribute('aria-describedby') ? document.getElementById(input.getAttribute('aria-describedby').split(' ')[0]) : null;
		var buttons = form.querySelectorAll('button[type=submit], input[type=submit]');
		var file = input.files && input.files[0];
		if (!target) {
			return;
		}
		target.value = '';
		if (nameField) {
			nameField.value = '';
		}
		if (!file) {
			return;
		}
		if (max > 0 && file.size > max) {
			input.value = '';
			input.setAttribute('aria-invalid', 'true');
			Volixta.showError(form, input.getAttribute('data-volixta-file-too-large') || '');
			return;
		}
		input.removeAttribute('aria-invalid');
		var box = form.querySelector('[data-volixta-errors]');
		if (box) {
			box.remove();
		}
		buttons.forEach(function (b) { b.disabled = true; });
		var reader = new FileReader();
		reader.onload = function () {
			target.value = String(reader.result || '');
			if (nameField) {
				nameField.value = file.name;
			}
			buttons.forEach(function (b) { b.disabled = false; });
			if (status && status.hasAttribute('data-volixta-file-status')) {
				status.textContent = file.name;
			}
		};
		reader.onerror = function () {
			buttons.forEach(function (b) { b.disabled = false; });
			Volixta.showError(form, '');
		};
		if (input.getAttribute('data-volixta-file-as') === 'dataurl') {
			reader.readAsDataURL(file);
		} else {
			reader.readAsText(file);
		}
	}, true);

	// wp-admin binds its mobile row toggle to the tables present at load; tables swapped in later
	// need the same toggle, and the ones present at load must not toggle twice.
	document.addEventListener('click', function (event) {
		var toggle = event.target.closest && event.target.closest('.toggle-row');
		if (!toggle || !rootFor(toggle)) {
			return;
		}
		event.stopPropagation();
		var row = toggle.closest('tr');
		if (row) {
			var expanded = row.classList.toggle('is-expanded');
			toggle.setAttribute('aria-expanded', expanded ? 'true' : 'false');
		}
	}, true);
}());
