//! Delivery by upload: hilt sends the image to the unit over HTTP, as the app or web page would.

use crate::bench::Sample;
use crate::config::update::PushHttp;
use crate::config::Profile;
use crate::transport::http::HttpRequest;

/// The upload request for one image, placeholders filled from the sample's variables.
pub fn request(
    sample: &Sample,
    profile: &Profile,
    push: &PushHttp,
    image: &[u8],
) -> Result<HttpRequest, super::error::Error> {
    let service = profile.service(&push.service.value).ok_or_else(|| {
        super::error::Error::Config(format!("no declared service `{}`", push.service.value))
    })?;
    let body = match &push.multipart {
        None => (push.content_type.clone(), image.to_vec()),
        Some(m) => {
            let mut fields = Vec::new();
            for (k, v) in &m.fields {
                fields.push((k.clone(), sample.fill(v)?));
            }
            multipart(&fields, &m.field, &sample.fill(&m.filename)?, image)
        }
    };
    let basic_auth = match &push.basic_auth {
        Some(b) => Some((sample.fill(&b.username)?, sample.fill(&b.password)?)),
        None => None,
    };
    Ok(HttpRequest {
        method: push.method.clone(),
        endpoint: service.endpoint(),
        path: sample.fill(&push.path)?,
        json: None,
        form: None,
        basic_auth,
        authorization: None,
        raw_body: Some(body),
        within: push.within.0,
    })
}

/// A multipart/form-data body (RFC 7578) with text fields and the image as one file part.
fn multipart(
    fields: &[(String, String)],
    file_field: &str,
    filename: &str,
    image: &[u8],
) -> (String, Vec<u8>) {
    let boundary = format!("hilt-{}", crate::util::token::fresh());
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(image);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_body_frames_the_image_between_boundaries() {
        let (ct, body) = multipart(
            &[("slot".into(), "a".into())],
            "file",
            "u.bin",
            b"\x00IMG\xff",
        );
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
        assert!(body.windows(5).any(|w| w == b"\x00IMG\xff"));
        assert!(text.contains("name=\"file\"; filename=\"u.bin\""));
    }
}
