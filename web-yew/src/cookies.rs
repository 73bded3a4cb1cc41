//! Reading the CSRF cookie that the server sets next to the (HttpOnly) session cookie.

use api_types::CSRF_COOKIE;
use wasm_bindgen::JsCast;
use web_sys::HtmlDocument;

/// The value of the cookie `name` in a `document.cookie` string (`"a=1; b=2"`).
pub fn cookie_value<'a>(cookies: &'a str, name: &str) -> Option<&'a str> {
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .filter(|value| !value.is_empty())
}

/// The page's CSRF token, to send in the `x-csrf-token` header of every cookie-authenticated
/// write. `None` outside a browser or when signed out.
pub fn csrf_token() -> Option<String> {
    let document = web_sys::window()?.document()?.dyn_into::<HtmlDocument>().ok()?;
    let cookies = document.cookie().ok()?;
    cookie_value(&cookies, CSRF_COOKIE).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_cookie_among_others() {
        let cookies = "theme=dark; ctxi_csrf=abc123; other=x";
        assert_eq!(cookie_value(cookies, "ctxi_csrf"), Some("abc123"));
        assert_eq!(cookie_value(cookies, "theme"), Some("dark"));
    }

    #[test]
    fn matches_whole_names_only() {
        assert_eq!(cookie_value("xctxi_csrf=1; ctxi_csrf_old=2", "ctxi_csrf"), None);
    }

    #[test]
    fn keeps_equals_signs_inside_the_value() {
        assert_eq!(cookie_value("ctxi_csrf=a=b==", "ctxi_csrf"), Some("a=b=="));
    }

    #[test]
    fn missing_or_empty_is_none() {
        assert_eq!(cookie_value("", "ctxi_csrf"), None);
        assert_eq!(cookie_value("ctxi_csrf=", "ctxi_csrf"), None);
    }
}
