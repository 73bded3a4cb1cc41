//! Form pieces shared by the pages: a labelled text field and an error line.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TextFieldProps {
    /// The input's `id`, which its `<label for>` names; the browser tests find fields by it.
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    pub oninput: Callback<String>,
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    #[prop_or_default]
    pub minlength: Option<AttrValue>,
    /// A line under the field, tied to it with `aria-describedby`.
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    #[prop_or(true)]
    pub required: bool,
}

#[component]
pub fn TextField(props: &TextFieldProps) -> Html {
    let oninput = props.oninput.reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let hint_id = props.hint.as_ref().map(|_| AttrValue::from(format!("{}-hint", props.id)));
    html! {
        <div class="field">
            <label for={props.id.clone()}>{ &props.label }</label>
            <input
                id={props.id.clone()}
                name={props.id.clone()}
                type={props.kind.clone()}
                value={props.value.clone()}
                autocomplete={props.autocomplete.clone()}
                minlength={props.minlength.clone()}
                aria-describedby={hint_id.clone()}
                required={props.required}
                {oninput}
            />
            if let (Some(hint), Some(hint_id)) = (&props.hint, hint_id) {
                <p id={hint_id} class="hint">{ hint }</p>
            }
        </div>
    }
}

/// A callback that stores a field's text in a state handle.
pub fn setter(state: &UseStateHandle<String>) -> Callback<String> {
    let state = state.clone();
    Callback::from(move |value| state.set(value))
}

/// The error of the form above, as readable text; announced to screen readers.
pub fn error_line(id: &'static str, error: &Option<String>) -> Html {
    match error {
        Some(message) => html! { <p {id} class="error" role="alert">{ message }</p> },
        None => html! {},
    }
}
